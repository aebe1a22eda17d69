/**
 * When a failing record gets another attempt, and how long to wait first. Attempt limits and
 * age limits are checked together: whichever is hit first ends the retries, and the failure mode
 * then decides the record's fate (log, dead-letter, or discard for `'retry'` with limits).
 */
import type { ChangeRecord } from '../streams/types.ts'
import type { ResolvedConsumer } from './definition.ts'

/** Failures so far of one record (or of the batch that starts at it). */
export interface FailureTrack {
  failures: number
  firstFailedMs: number
}

/** Why a failing record gets no further attempt. */
export type ExhaustedBy = 'attempts' | 'age'

/** True when the record is older than `maxRecordAgeSeconds`: it is not delivered at all. */
export function isTooOld(consumer: ResolvedConsumer, record: ChangeRecord, nowMs: number): boolean {
  return consumer.maxRecordAgeMs !== -1 && nowMs - record.createdAtMs > consumer.maxRecordAgeMs
}

/** Whether a record that has just failed (counted in `track`) is out of retries. */
export function exhaustedBy(
  consumer: ResolvedConsumer,
  record: ChangeRecord,
  track: FailureTrack,
  nowMs: number,
): ExhaustedBy | null {
  const retriesUsed = track.failures - 1
  if (consumer.maxRetryAttempts !== -1 && retriesUsed >= consumer.maxRetryAttempts)
    return 'attempts'
  if (isTooOld(consumer, record, nowMs)) return 'age'
  return null
}

/** Exponential backoff with equal jitter: half the ceiling plus a random half, capped. */
export function backoffMs(consumer: ResolvedConsumer, failures: number): number {
  const { initialMs, maxMs } = consumer.retryBackoff
  const ceilingMs = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30))
  return ceilingMs / 2 + Math.random() * (ceilingMs / 2)
}

/** The error a dead letter carries for a record that was too old to deliver. */
export function tooOldError(
  consumer: ResolvedConsumer,
  record: ChangeRecord,
  nowMs: number,
): Error {
  const error = new Error(
    `Record ${record.sequenceNumber} is ${Math.round((nowMs - record.createdAtMs) / 1000)} s old, ` +
      `past maxRecordAgeSeconds ${consumer.maxRecordAgeMs / 1000} of consumer "${consumer.name}"`,
  )
  error.name = 'RecordTooOldError'
  return error
}
