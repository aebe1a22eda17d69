/** How a standalone stream is declared: a stream that accepts published records, as Kinesis does. */
import { z } from 'zod'
import { shardCountSchema, retentionHoursSchema } from './options.ts'
import { namePattern } from '../tables/definition.ts'

/** A standalone stream as declared in the config. Its name shares one namespace with tables. */
export interface StreamDefinition {
  name: string
  /** Number of shards; a partition key always lands in the same one. Default 4, at most 64. */
  shards?: number
  /** How long records stay, in hours. Default 24, at most 8,760 (365 days). */
  retentionHours?: number
}

export const streamDefinitionSchema = z
  .object({
    name: z.string().regex(namePattern, 'use 1 to 255 letters, digits, "_", "-" or "."'),
    shards: shardCountSchema.optional(),
    retentionHours: retentionHoursSchema.optional(),
  })
  .strict()

/** Identity function that gives a stream definition its type. */
export function defineStream(definition: StreamDefinition): StreamDefinition {
  return definition
}

/** Default shard count of a stream. */
export const defaultShardCount = 4
/** Default retention of a stream, in hours. */
export const defaultRetentionHours = 24
