/** How a table is declared: its keys and its stream. */
import { z } from 'zod'
import { retentionHoursSchema, shardCountSchema } from '../streams/options.ts'
import { ValidationError } from '../errors.ts'
import { streamViewTypes, type StreamViewType } from '../streams/types.ts'

/** A key attribute: its name and the type its values must have. */
export interface KeyAttribute {
  name: string
  /** `binary` keys take a Buffer or base64 text and are stored and returned as base64 text. */
  type: 'string' | 'number' | 'binary'
}

/** The stream of a table. */
export interface TableStreamOptions {
  /** What each change record carries. Default `NEW_AND_OLD_IMAGES`. */
  viewType?: StreamViewType
  /** Number of shards; a partition key always lands in the same one. Default 4, at most 64. */
  shards?: number
  /** How long records stay in the stream, in hours. Default 24. */
  retentionHours?: number
}

/** A table as declared in the config or passed to `open`. */
export interface TableDefinition {
  name: string
  partitionKey: KeyAttribute
  sortKey?: KeyAttribute
  /** The table's stream; `false` for a table without one. Default: a stream with defaults. */
  stream?: TableStreamOptions | false
  /**
   * The attribute that holds each item's expiry time, in seconds since the epoch, as DynamoDB's
   * time to live. Expired items are deleted in the background (their REMOVE records carry a
   * `userIdentity` naming the service); until then reads still return them. Default: none.
   */
  ttlAttribute?: string
}

/** A table definition with every default filled in. */
export interface ResolvedTable {
  name: string
  partitionKey: KeyAttribute
  sortKey: KeyAttribute | null
  stream: Required<TableStreamOptions> | null
  ttlAttribute: string | null
}

export const namePattern = /^[a-zA-Z0-9_.-]{1,255}$/

const keyAttribute = z
  .object({
    name: z.string().min(1, 'a key attribute needs a name'),
    type: z.enum(['string', 'number', 'binary']),
  })
  .strict()

export const tableDefinitionSchema = z
  .object({
    name: z.string().regex(namePattern, 'use 1 to 255 letters, digits, "_", "-" or "."'),
    partitionKey: keyAttribute,
    sortKey: keyAttribute.optional(),
    stream: z
      .union([
        z.literal(false),
        z
          .object({
            viewType: z.enum(streamViewTypes as [StreamViewType, ...StreamViewType[]]).optional(),
            shards: shardCountSchema.optional(),
            retentionHours: retentionHoursSchema.optional(),
          })
          .strict(),
      ])
      .optional(),
    ttlAttribute: z.string().min(1).max(255).optional(),
  })
  .strict()
  .refine((table) => table.sortKey?.name !== table.partitionKey.name, {
    message: "the sort key needs a name other than the partition key's",
    path: ['sortKey', 'name'],
  })

/** Declares a table. Throws a `ValidationError` that names the bad field. */
export function defineTable(definition: TableDefinition): TableDefinition {
  const parsed = tableDefinitionSchema.safeParse(definition)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ValidationError(
      `Table ${JSON.stringify(definition?.name)} is not valid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    )
  }
  return definition
}

/** Fills in the defaults of a table definition. */
export function resolveTable(definition: TableDefinition): ResolvedTable {
  const stream = definition.stream === false ? null : (definition.stream ?? {})
  return {
    name: definition.name,
    partitionKey: definition.partitionKey,
    sortKey: definition.sortKey ?? null,
    ttlAttribute: definition.ttlAttribute ?? null,
    stream: stream && {
      viewType: stream.viewType ?? 'NEW_AND_OLD_IMAGES',
      shards: stream.shards ?? 4,
      retentionHours: stream.retentionHours ?? 24,
    },
  }
}
