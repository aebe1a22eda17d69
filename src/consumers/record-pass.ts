/**
 * The per-record pass: each record goes to `handleRecord` on its own, in order per key. With
 * `parallelization` above 1, records are spread over lanes by item key; each lane runs its
 * records in order, lanes run side by side. A failing record with retries left stops the pass
 * (the shard blocks on it) or, with `parkFailingKeys`, parks its key: later records of that key
 * wait, other keys go on. Records finished past the blocking one are remembered, so a retry does
 * not run them again; they are remembered in memory only, so after a restart (or a lease
 * takeover) they are delivered again: delivery stays at least once.
 */
import type { ChangeRecord } from '../streams/types.ts'
import { matchesFilters } from './filters.ts'
import { invokeRecordHandler, type TxWork } from './invoke.ts'
import {
  block,
  countFailure,
  doneStatus,
  emptyPass,
  filteredStatus,
  trackOf,
  type Pass,
  type PassContext,
} from './pass.ts'
import { exhaustedBy, isTooOld, tooOldError } from './retry-policy.ts'

interface LaneState {
  pass: Pass
  /** Set when a failure stops every lane (no key parking). */
  halted: boolean
  parkedKeys: Set<string>
}

/** Runs the records of a batch through the record handler. */
export async function runRecordPass(context: PassContext, records: ChangeRecord[]): Promise<Pass> {
  const pass = emptyPass(records.length)
  const lanes = classify(context, records, pass)
  const state: LaneState = { pass, halted: false, parkedKeys: new Set() }

  await Promise.all(lanes.map((lane) => runLane(context, records, lane, state)))
  return pass
}

/** Marks records already done or filtered out; spreads the others over lanes. */
function classify(context: PassContext, records: ChangeRecord[], pass: Pass): number[][] {
  const { consumer } = context
  const lanes: number[][] = Array.from({ length: consumer.parallelization }, () => [])

  records.forEach((record, index) => {
    const sequence = Number(record.sequenceNumber)
    if (context.done.size > 0 && context.done.has(sequence)) pass.statuses[index] = doneStatus
    else if (!matchesFilters(record, consumer.filters)) pass.statuses[index] = filteredStatus
    else lanes[laneOf(record, consumer.parallelization)]?.push(index)
  })
  return lanes.filter((lane) => lane.length > 0)
}

function laneOf(record: ChangeRecord, lanes: number): number {
  if (lanes === 1) return 0
  let hash = 0
  for (const char of keyOf(record)) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0
  return hash % lanes
}

function keyOf(record: ChangeRecord): string {
  return JSON.stringify(record.keys)
}

async function runLane(
  context: PassContext,
  records: ChangeRecord[],
  lane: number[],
  state: LaneState,
): Promise<void> {
  for (const index of lane) {
    if (context.stopping() || state.halted) return
    const record = records[index] as ChangeRecord
    if (state.parkedKeys.size > 0 && state.parkedKeys.has(keyOf(record))) continue

    // Checked in turn, not up front: a record behind a blocked one waits, even a too-old one.
    const nowMs = Date.now()
    if (isTooOld(context.consumer, record, nowMs)) {
      const error = tooOldError(context.consumer, record, nowMs)
      state.pass.statuses[index] = { kind: 'failed', error, track: trackOf(context, record, nowMs) }
      continue
    }
    // Awaited only when the handler returned a promise: a hop per record is most of the cost
    // of draining with a synchronous handler.
    const running = runRecord(context, record, index, state)
    if (running) await running
  }
}

/** Runs one record; returns a promise only when the handler did. */
function runRecord(
  context: PassContext,
  record: ChangeRecord,
  index: number,
  state: LaneState,
): Promise<void> | undefined {
  const sequence = Number(record.sequenceNumber)
  const attempt = (context.tracks.get(sequence)?.failures ?? 0) + 1
  const writes: TxWork[] = []
  const startedMs = performance.now()
  const outcome = invokeRecordHandler(context.consumer, record, attempt, context.log, {
    writes,
    store: context.store,
  })
  if (outcome instanceof Promise) {
    return outcome.then((error) =>
      settleRecord(context, record, index, state, { error, writes, startedMs }),
    )
  }
  settleRecord(context, record, index, state, { error: outcome, writes, startedMs })
  return undefined
}

/** Counts a finished handler call and sets the record's status. */
function settleRecord(
  context: PassContext,
  record: ChangeRecord,
  index: number,
  state: LaneState,
  call: { error: Error | null; writes: TxWork[]; startedMs: number },
): void {
  const { metrics, tracks } = context
  const { pass } = state
  metrics.durationMsTotal += performance.now() - call.startedMs
  metrics.invocations++
  metrics.records++
  pass.delivered++

  if (call.error) return onRecordError(context, record, index, call.error, state)
  pass.statuses[index] = doneStatus
  if (call.writes.length > 0) pass.writes.push(...call.writes)
  if (tracks.size > 0) tracks.delete(Number(record.sequenceNumber))
}

function onRecordError(
  context: PassContext,
  record: ChangeRecord,
  index: number,
  error: Error,
  state: LaneState,
): void {
  const { pass } = state
  const sequence = Number(record.sequenceNumber)
  const nowMs = Date.now()
  context.metrics.errors++
  pass.failures++
  pass.lastError = error

  const track = countFailure(context, sequence, nowMs)
  if (exhaustedBy(context.consumer, record, track, nowMs)) {
    pass.statuses[index] = { kind: 'failed', error, track }
    context.tracks.delete(sequence)
    return
  }

  block(pass, { record, track, error })
  if (context.consumer.parkFailingKeys) state.parkedKeys.add(keyOf(record))
  else state.halted = true
}
