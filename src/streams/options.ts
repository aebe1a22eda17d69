/** The stream options that table streams and standalone streams share, validated in one place. */
import { z } from 'zod'

/** Shards of a stream: 1 to 64. */
export const shardCountSchema = z.number().int().min(1).max(64)

/** Retention of a stream, in hours: more than 0, at most 8,760 (365 days). */
export const retentionHoursSchema = z
  .number()
  .positive()
  .max(24 * 365)
