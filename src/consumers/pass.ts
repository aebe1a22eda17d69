/**
 * One pass of a shard worker over a batch: what happened to each record. The per-record and the
 * batch handler passes both fill a `Pass`; the worker then turns it into one write (checkpoint,
 * counters, dead letters, the handler's own writes) and, when a record waits for a retry, a
 * backoff.
 */
import type { Logger } from '../observe/logger.ts'
import type { Store } from '../store/index.ts'
import type { ChangeRecord } from '../streams/types.ts'
import type { ResolvedConsumer } from './definition.ts'
import type { TxWork } from './invoke.ts'
import type { ShardMetrics } from './metrics.ts'
import type { FailureTrack } from './retry-policy.ts'

/**
 * What became of one record in a pass: `done` (handled now or earlier), `filtered` (left out by
 * the filters), `failed` (no retry left: the failure mode applies), `pending` (not reached,
 * parked behind a failing key, or waiting for a retry).
 */
export type RecordStatus =
  | { kind: 'done' }
  | { kind: 'filtered' }
  | { kind: 'failed'; error: Error; track: FailureTrack }
  | { kind: 'pending' }

/** The record a shard waits on before its next attempt. */
export interface Blocking {
  record: ChangeRecord
  track: FailureTrack
  error: Error
}

export interface Pass {
  /** One status per record of the batch, in the batch's order. */
  statuses: RecordStatus[]
  /** Writes the handler asked to commit with this pass (see `RecordContext.transact`). */
  writes: TxWork[]
  /** Records handed to the handler, and failures, for the stored counters. */
  delivered: number
  failures: number
  /** The lowest record waiting for a retry; null when none is. */
  blocking: Blocking | null
  lastError: Error | null
}

/** What a pass needs from its worker. */
export interface PassContext {
  consumer: ResolvedConsumer
  store: Store
  log: Logger
  metrics: ShardMetrics
  /** Failures so far of records waiting for a retry, by sequence number. */
  tracks: Map<number, FailureTrack>
  /** Per-record mode: records past the checkpoint already finished; a retry skips them. */
  done: Set<number>
  stopping(): boolean
}

/**
 * Shared statuses: a status is replaced, never changed in place, so one object of each kind
 * serves every record, and a drained batch allocates none.
 */
export const doneStatus: RecordStatus = Object.freeze({ kind: 'done' })
export const pendingStatus: RecordStatus = Object.freeze({ kind: 'pending' })
export const filteredStatus: RecordStatus = Object.freeze({ kind: 'filtered' })

export function emptyPass(size: number): Pass {
  return {
    statuses: new Array<RecordStatus>(size).fill(pendingStatus),
    writes: [],
    delivered: 0,
    failures: 0,
    blocking: null,
    lastError: null,
  }
}

/** Counts a failure of a record; the track is created at the first one. */
export function countFailure(context: PassContext, sequence: number, nowMs: number): FailureTrack {
  const track = context.tracks.get(sequence) ?? { failures: 0, firstFailedMs: nowMs }
  track.failures++
  context.tracks.set(sequence, track)
  return track
}

/** Keeps the lowest blocking record of a pass. */
export function block(pass: Pass, blocking: Blocking): void {
  if (!pass.blocking || blocking.record.sequenceNumber < pass.blocking.record.sequenceNumber) {
    pass.blocking = blocking
  }
}

/** The failures so far of a record, without counting a new one. */
export function trackOf(context: PassContext, record: ChangeRecord, nowMs: number): FailureTrack {
  return context.tracks.get(Number(record.sequenceNumber)) ?? { failures: 0, firstFailedMs: nowMs }
}
