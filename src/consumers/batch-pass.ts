/**
 * The batch pass: the records that pass the filters go to `handleBatch` together. A call that
 * throws fails the whole batch, unless `bisectBatchOnError` splits it in halves, again and again,
 * until the failing record stands alone (splitting spends no retry attempt). A call that returns
 * `batchItemFailures` fails from its lowest reported record on. The failing record's attempts
 * are counted; with retries left the batch is retried from it, else the failure mode applies to
 * the failed records and the rest of the call counts as done.
 */
import type { ChangeRecord } from '../streams/types.ts'
import { matchesFilters } from './filters.ts'
import { invokeBatchHandler, type TxWork } from './invoke.ts'
import { block, countFailure, emptyPass, trackOf, type Pass, type PassContext } from './pass.ts'
import { exhaustedBy, isTooOld, tooOldError } from './retry-policy.ts'

/** The first failure of a pass: where it starts and which records the failing call covered. */
interface CallFailure {
  /** Index in the delivered list of the lowest failed record. */
  from: number
  /** Index in the delivered list of the failing call's last record. */
  end: number
  /** Records that failed: the reported ones, or the whole failing call. */
  failed: ChangeRecord[]
  error: Error
}

/** Runs the records of a batch through the batch handler. */
export async function runBatchPass(context: PassContext, records: ChangeRecord[]): Promise<Pass> {
  const pass = emptyPass(records.length)
  const delivered = classify(context, records, pass)
  if (delivered.length === 0) return pass

  const first = delivered[0] as ChangeRecord
  const attempt = (context.tracks.get(Number(first.sequenceNumber))?.failures ?? 0) + 1
  const failure = await call(context, pass, delivered, 0, attempt)

  settle(context, pass, records, delivered, failure)
  holdAfterFirstPending(pass)
  return pass
}

/** Marks filtered and too-old records; returns the records to deliver. */
function classify(context: PassContext, records: ChangeRecord[], pass: Pass): ChangeRecord[] {
  const { consumer } = context
  const nowMs = Date.now()
  return records.filter((record, index) => {
    if (!matchesFilters(record, consumer.filters)) {
      pass.statuses[index] = { kind: 'filtered' }
      return false
    }
    if (isTooOld(consumer, record, nowMs)) {
      const error = tooOldError(consumer, record, nowMs)
      pass.statuses[index] = { kind: 'failed', error, track: trackOf(context, record, nowMs) }
      return false
    }
    return true
  })
}

/** Calls the handler on `list` (which starts at `offset` of the delivered records). */
async function call(
  context: PassContext,
  pass: Pass,
  list: ChangeRecord[],
  offset: number,
  attempt: number,
): Promise<CallFailure | null> {
  const { consumer, metrics } = context
  const writes: TxWork[] = []
  const startedMs = performance.now()
  const outcome = await invokeBatchHandler(consumer, list, attempt, context.log, {
    writes,
    store: context.store,
  })
  metrics.durationMsTotal += performance.now() - startedMs
  metrics.invocations++
  metrics.records += list.length
  pass.delivered += list.length

  if (!outcome.error) {
    pass.writes.push(...writes)
    return null
  }
  pass.lastError = outcome.error
  if (outcome.failed) {
    pass.writes.push(...writes)
    return reported(list, offset, outcome.failed, outcome.error)
  }
  if (consumer.bisectBatchOnError && list.length > 1) {
    const middle = Math.ceil(list.length / 2)
    const left = await call(context, pass, list.slice(0, middle), offset, attempt)
    return left ?? call(context, pass, list.slice(middle), offset + middle, attempt)
  }
  return { from: offset, end: offset + list.length - 1, failed: list, error: outcome.error }
}

function reported(
  list: ChangeRecord[],
  offset: number,
  ids: Set<string>,
  error: Error,
): CallFailure {
  const failed = list.filter((record) => ids.has(record.sequenceNumber))
  const from = list.findIndex((record) => ids.has(record.sequenceNumber))
  return { from: offset + from, end: offset + list.length - 1, failed, error }
}

/** Sets the status of every delivered record from the first failure of the pass. */
function settle(
  context: PassContext,
  pass: Pass,
  records: ChangeRecord[],
  delivered: ChangeRecord[],
  failure: CallFailure | null,
): void {
  const indexOf = new Map(records.map((record, index) => [record, index]))
  const mark = (record: ChangeRecord, status: Pass['statuses'][number]) => {
    pass.statuses[indexOf.get(record) as number] = status
  }
  if (!failure) {
    for (const record of delivered) mark(record, { kind: 'done' })
    context.tracks.clear()
    return
  }

  const head = delivered[failure.from] as ChangeRecord
  const nowMs = Date.now()
  context.metrics.errors += failure.failed.length
  pass.failures += failure.failed.length
  forgetTracksBefore(context, Number(head.sequenceNumber))
  const track = countFailure(context, Number(head.sequenceNumber), nowMs)
  const exhausted = exhaustedBy(context.consumer, head, track, nowMs) !== null

  delivered.forEach((record, index) => {
    if (index < failure.from) mark(record, { kind: 'done' })
    else if (!exhausted || index > failure.end) mark(record, { kind: 'pending' })
    else if (failure.failed.includes(record))
      mark(record, { kind: 'failed', error: failure.error, track })
    else mark(record, { kind: 'done' })
  })
  if (exhausted) context.tracks.delete(Number(head.sequenceNumber))
  else block(pass, { record: head, track, error: failure.error })
}

function forgetTracksBefore(context: PassContext, sequence: number): void {
  for (const key of context.tracks.keys()) if (key < sequence) context.tracks.delete(key)
}

/** In batch mode nothing after a pending record counts yet: the retry delivers it again. */
function holdAfterFirstPending(pass: Pass): void {
  const first = pass.statuses.findIndex((status) => status.kind === 'pending')
  if (first === -1) return
  for (let index = first; index < pass.statuses.length; index++) {
    pass.statuses[index] = { kind: 'pending' }
  }
}
