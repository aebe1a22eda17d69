/**
 * The body of a consumer's dead letter: an ordinary queue message that any queue client can
 * read, holding the whole change record, the error, and where and when it failed. It is sent
 * whatever the queue's body limit: a record with two 400 KB images is larger than 256 KB, and a
 * dead letter that was cut or refused would lose the record it exists to keep.
 */
import { z } from 'zod'
import type { ChangeRecord } from '../streams/types.ts'

/** Marks a message body as an Eddy dead letter, with the format's version. */
export const deadLetterFormat = 'eddy.dead-letter.v1'

export interface DeadLetter {
  format: typeof deadLetterFormat
  record: ChangeRecord
  error: { name: string; message: string; stack?: string }
  origin: { stream: string; shard: string; sequenceNumber: string; consumer: string }
  attempts: number
  /** ISO 8601 times of the first and last failed attempt. */
  firstFailedAt: string
  lastFailedAt: string
}

const deadLetterSchema = z.object({
  format: z.literal(deadLetterFormat),
  record: z
    .object({
      eventId: z.string(),
      eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
      stream: z.string(),
      shard: z.string(),
      sequenceNumber: z.string(),
      createdAtMs: z.number(),
      keys: z.record(z.string(), z.unknown()),
      sizeBytes: z.number(),
      streamViewType: z.enum(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']),
    })
    .loose(),
  error: z.object({ name: z.string(), message: z.string(), stack: z.string().optional() }),
  origin: z.object({
    stream: z.string(),
    shard: z.string(),
    sequenceNumber: z.string(),
    consumer: z.string(),
  }),
  attempts: z.number().int().min(1),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
})

/** Builds the dead letter of a record that failed in a consumer. */
export function toDeadLetter(
  record: ChangeRecord,
  consumer: string,
  error: Error,
  attempts: number,
  firstFailedAtMs: number,
  lastFailedAtMs: number,
): DeadLetter {
  return {
    format: deadLetterFormat,
    record,
    error: { name: error.name, message: error.message, stack: error.stack },
    origin: {
      stream: record.stream,
      shard: record.shard,
      sequenceNumber: record.sequenceNumber,
      consumer,
    },
    attempts,
    firstFailedAt: new Date(firstFailedAtMs).toISOString(),
    lastFailedAt: new Date(lastFailedAtMs).toISOString(),
  }
}

/** Parses a message body; returns the reason when it is not a valid dead letter. */
export function parseDeadLetter(body: string): { deadLetter: DeadLetter } | { problem: string } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { problem: 'the body is not JSON' }
  }
  const parsed = deadLetterSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      problem: `not an Eddy dead letter: ${issue?.path.join('.') || 'body'}: ${issue?.message}`,
    }
  }
  return { deadLetter: parsed.data as DeadLetter }
}
