/**
 * The validation schema of a consumer definition, in one place: every option with its range.
 * `defineConsumer` and the config file both check definitions against it.
 */
import { z } from 'zod'
import { contractSchema } from '../schemas/definition.ts'
import { namePattern } from '../tables/definition.ts'
import { recordFilterSchema } from './filters.ts'

const fn = (message: string) => z.custom<never>((value) => typeof value === 'function', { message })

/** -1 (no limit) or an integer in [min, max]. */
function limitOrUnlimited(min: number, max: number, unit: string) {
  return z
    .number()
    .int()
    .refine((value) => value === -1 || (value >= min && value <= max), {
      message: `use -1 (no limit) or ${min} to ${max.toLocaleString('en')} ${unit}`,
    })
}

/** A number in [min, max]; the message says the range and the unit. */
function range(min: number, max: number, unit: string, integer = true) {
  const message = `use ${min.toLocaleString('en')} to ${max.toLocaleString('en')} ${unit}`
  const number = integer ? z.number({ message }).int({ message }) : z.number({ message })
  return number.min(min, message).max(max, message)
}

const startingPositionSchema = z.union(
  [
    z.literal('oldest'),
    z.literal('latest'),
    z.object({ atTimestampMs: z.number().int().min(0) }).strict(),
  ],
  { message: "use 'oldest', 'latest' or { atTimestampMs: milliseconds since the epoch }" },
)

const failureModeSchema = z.union([
  z.literal('log'),
  z.literal('retry'),
  z.object({ deadLetter: z.string().regex(namePattern, 'name the dead-letter queue') }).strict(),
])

export const consumerDefinitionSchema = z
  .object({
    name: z.string().regex(namePattern, 'use 1 to 255 letters, digits, "_", "-" or "."'),
    stream: z.string().min(1, 'name the stream to read'),
    handleRecord: fn('handleRecord must be a function (record, context) => void').optional(),
    handleBatch: fn('handleBatch must be a function (records, context) => void').optional(),
    batchSize: range(1, 10_000, 'records').optional(),
    batchingWindowSeconds: range(0, 300, 'seconds', false).optional(),
    maxBatchBytes: range(1024, 6 * 1024 * 1024, 'bytes').optional(),
    startingPosition: startingPositionSchema.optional(),
    filters: z.array(recordFilterSchema).max(5).optional(),
    parallelization: range(1, 10, 'batches in flight per shard').optional(),
    enabled: z.boolean().optional(),
    handlerTimeoutMs: range(1, 900_000, 'milliseconds (15 minutes)').optional(),
    onFailure: failureModeSchema.optional(),
    maxRetryAttempts: limitOrUnlimited(0, 10_000, 'retries').optional(),
    maxRecordAgeSeconds: limitOrUnlimited(60, 604_800, 'seconds (1 minute to 7 days)').optional(),
    retryBackoff: z
      .object({
        initialMs: z.number().int().min(1).max(3_600_000).optional(),
        maxMs: z.number().int().min(1).max(3_600_000).optional(),
      })
      .strict()
      .optional(),
    isolation: z
      .object({
        module: z.string().min(1, 'give the path or file URL of the handler module'),
        exportName: z.string().min(1).optional(),
        batch: z.boolean().optional(),
      })
      .strict()
      .optional(),
    bisectBatchOnError: z.boolean().optional(),
    parkFailingKeys: z.boolean().optional(),
    contract: contractSchema.optional(),
  })
  .strict()
  .superRefine((definition, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message })
    const { handleRecord, handleBatch, isolation } = definition
    const handlers = [handleRecord, handleBatch, isolation].filter(Boolean).length
    if (handlers !== 1) {
      issue('handleRecord', 'give exactly one of handleRecord, handleBatch and isolation')
    }
    const batchMode = Boolean(handleBatch) || isolation?.batch === true
    if (definition.bisectBatchOnError && !batchMode) {
      issue(
        'bisectBatchOnError',
        'applies to batch handlers; a record handler already isolates records',
      )
    }
    if (definition.parkFailingKeys && batchMode) {
      issue('parkFailingKeys', 'applies to record handlers only')
    }
    const backoff = definition.retryBackoff
    if (backoff?.initialMs && backoff.maxMs && backoff.initialMs > backoff.maxMs) {
      issue('retryBackoff', 'initialMs must not exceed maxMs')
    }
  })
