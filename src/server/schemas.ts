/**
 * The zod schemas of every request body and query, in one module; the OpenAPI document is
 * generated from them. They check the shape of a request (fields, types, unknown fields). What
 * conditions, updates, filters and items mean is checked by the core, which answers with a
 * `ValidationError` (400) that names the problem: these schemas do not copy its rules.
 */
import { z } from 'zod'

/**
 * A JSON object, passed on as parsed: a zod record would copy it key by key, and the copy would
 * lose an attribute named `__proto__`, which Eddy stores as data.
 */
const jsonObject = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    { message: 'expected a JSON object' },
  )
  .meta({ type: 'object' })
const keyValue = z.union([z.string(), z.number()])
const count = z.number().int().min(0)
const queryCount = z.coerce.number().int().min(0)
/** A condition as plain data, as `Table.put`'s `condition` option takes it. */
const condition = z.unknown().describe('A condition as plain data (see the README)')
const conditionalOptions = {
  condition: condition.optional(),
  returnValuesOnConditionCheckFailure: z.enum(['NONE', 'ALL_OLD']).optional(),
}
const pageOptions = {
  limit: z.number().int().min(1).optional(),
  exclusiveStartKey: jsonObject.optional(),
  filter: condition.optional(),
  projection: z.array(z.union([z.string(), z.array(keyValue)])).optional(),
}

export const itemKeyQuery = z.record(z.string(), z.string())

export const putItemBody = z.strictObject({
  item: jsonObject,
  ...conditionalOptions,
  returnValues: z.enum(['NONE', 'ALL_OLD']).optional(),
})

export const updateItemBody = z.strictObject({
  key: jsonObject,
  update: z.strictObject({
    set: jsonObject.optional(),
    remove: z.array(z.string()).optional(),
    actions: z.array(jsonObject).optional(),
  }),
  ...conditionalOptions,
  returnValues: z.enum(['NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']).optional(),
})

/** Without `key`, the key comes from the query string, as for a get. */
export const deleteItemBody = z.strictObject({
  key: jsonObject.optional(),
  ...conditionalOptions,
  returnValues: z.enum(['NONE', 'ALL_OLD']).optional(),
})

export const queryBody = z.strictObject({
  partitionKey: keyValue,
  sortKey: jsonObject.optional(),
  forward: z.boolean().optional(),
  ...pageOptions,
})

export const scanBody = z.strictObject({
  ...pageOptions,
  segment: count.optional(),
  totalSegments: z.number().int().min(1).optional(),
})

export const batchWriteBody = z.strictObject({
  requests: z.array(jsonObject).min(1).describe('Each { put: item } or { delete: key }'),
})

export const batchGetBody = z.strictObject({
  keys: z.array(jsonObject).min(1).max(100),
  projection: pageOptions.projection,
})

export const transactWriteBody = z.strictObject({
  requests: z
    .array(jsonObject)
    .min(1)
    .max(100)
    .describe('Each { put }, { update }, { delete } or { conditionCheck }, naming its table'),
})

export const iteratorBody = z.strictObject({
  shardId: z.string().min(1),
  type: z.enum([
    'TRIM_HORIZON',
    'LATEST',
    'AT_SEQUENCE_NUMBER',
    'AFTER_SEQUENCE_NUMBER',
    'AT_TIMESTAMP',
  ]),
  sequenceNumber: z.string().optional(),
  timestampMs: z.number().optional(),
})

export const readRecordsQuery = z.strictObject({
  iterator: z.string().min(1),
  limit: z.coerce.number().int().min(1).optional(),
  maxBytes: z.coerce.number().int().min(1).optional(),
})

export const publishBody = z.strictObject({
  records: z
    .array(z.strictObject({ partitionKey: z.string(), data: z.unknown() }))
    .min(1)
    .max(500),
})

export const replayBody = z
  .strictObject({
    fromSequenceNumber: z.string().optional(),
    fromTimeMs: count.optional(),
    dryRun: z.boolean().optional(),
  })
  .refine((body) => (body.fromSequenceNumber === undefined) !== (body.fromTimeMs === undefined), {
    message: 'expected exactly one of fromSequenceNumber and fromTimeMs',
    path: ['fromSequenceNumber'],
  })

export const sendBody = z.strictObject({
  body: z.string(),
  delaySeconds: count.optional(),
  messageAttributes: jsonObject.optional(),
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
})

export const receiveBody = z.strictObject({
  maxMessages: z.number().int().min(1).optional(),
  visibilityTimeoutSeconds: count.optional(),
  waitTimeSeconds: count.optional(),
})

export const peekQuery = z.strictObject({
  limit: queryCount.optional(),
  afterSequence: queryCount.optional(),
})

export const reprocessBody = z.strictObject({
  limit: z.number().int().min(1).optional(),
  consumer: z.string().optional(),
  ratePerSecond: z.number().positive().optional(),
  concurrency: z.number().int().min(1).max(100).optional(),
  dryRun: z.boolean().optional(),
  visibilityTimeoutSeconds: count.optional(),
  filter: z
    .strictObject({
      errorContains: z.string().optional(),
      consumer: z.string().optional(),
      key: jsonObject.optional(),
      failedAfterMs: count.optional(),
      failedBeforeMs: count.optional(),
    })
    .optional(),
})

export const moveBody = z.strictObject({
  to: z.string().optional(),
  ratePerSecond: z.number().positive().optional(),
  limit: z.number().int().min(1).optional(),
})
