/**
 * Runs one consumer on one shard, under a lease: read a batch after the checkpoint, run it
 * through the handler (per record or per batch), apply the failure mode, then save the
 * checkpoint, counters, state, dead letters and the handler's own writes in one write that is
 * refused when the lease was lost (fencing).
 *
 * States:
 * - `idle`: caught up, waiting for an append (or a cross-process poll) → `batching` or `running`;
 * - `batching`: a short batch waits out the batching window → `running`;
 * - `running`: a batch is in the handler → `idle`, `running` (more records) or `retrying`;
 * - `retrying`: blocked on a failing record, waiting out a backoff; the stored state says since
 *   when and on which record, and iterator age keeps growing → `running` (the retry);
 * - `stopped`: after `stop()`, or when the lease was lost. A stop lets the handler calls in
 *   flight finish and saves progress up to them, never past a record that did not finish.
 */
import { LeaseLostError } from '../errors.ts'
import { logFields, type Logger } from '../observe/logger.ts'
import { toDeadLetter } from '../queues/dead-letter.ts'
import type { LeaseGrant, Store, StreamRow } from '../store/index.ts'
import { formatShardId } from '../streams/positions.ts'
import type { ChangeRecord } from '../streams/types.ts'
import { runBatchPass } from './batch-pass.ts'
import { deadLetterQueueOf, type ResolvedConsumer } from './definition.ts'
import type { ShardMetrics } from './metrics.ts'
import type { Blocking, Pass, PassContext } from './pass.ts'
import { runRecordPass } from './record-pass.ts'
import { backoffMs, type FailureTrack } from './retry-policy.ts'

export type ShardState = 'idle' | 'batching' | 'running' | 'retrying' | 'stopped'

/** How many records one query reads when batches are smaller than this. */
const readAheadRecords = 100

/** What the commit of a pass adds up. */
interface Commit {
  checkpoint: number
  deadLetters: string[]
  failedTerminal: number
  filteredOut: number
  /** Records dropped at a limit with nowhere to keep them (no dead-letter queue, not `log`). */
  discarded: number
}

/**
 * A blocked shard says so at every attempt of its first few, then once every this many
 * attempts: each line carries a whole stack, and a shard can stay blocked for a day.
 */
const blockedLogEvery = 50
const blockedLogFirst = 3

export class ShardWorker {
  state: ShardState = 'idle'
  #stopping = false
  #wake: (() => void) | null = null
  /** Set by an append since the last read, so a wake-up that comes before the wait is kept. */
  #appended = false
  #blockedSinceMs: number | null = null
  /** Records after the checkpoint that the last read returned beyond its batch, in order. */
  #ahead: ChangeRecord[] = []
  #stream: StreamRow | undefined
  readonly #context: PassContext
  readonly #log: Logger

  constructor(
    private readonly store: Store,
    private readonly consumer: ResolvedConsumer,
    private readonly shard: number,
    private checkpoint: number,
    private readonly lease: LeaseGrant,
    metrics: ShardMetrics,
    log: Logger,
  ) {
    this.#log = log.child({
      [logFields.consumer]: consumer.name,
      [logFields.stream]: consumer.stream,
      [logFields.shard]: formatShardId(shard),
    })
    this.#context = {
      consumer,
      store,
      log: this.#log,
      metrics,
      tracks: new Map<number, FailureTrack>(),
      done: new Set<number>(),
      stopping: () => this.#stopping,
    }
  }

  /** Tells the worker that its stream has new records; ends an idle wait, never a backoff. */
  wake(): void {
    this.#appended = true
    if (this.state === 'idle' || this.state === 'batching') this.#wake?.()
  }

  /** Asks the loop to stop after the handler calls in flight; `run()` resolves once it has. */
  stop(): void {
    this.#stopping = true
    this.#wake?.()
  }

  async run(): Promise<void> {
    this.#stream = await this.store.getStream(this.consumer.stream)
    try {
      while (!this.#stopping) await this.#step()
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error
      this.#log.warn({ err: error }, 'lease lost; this process stops running the shard')
    }
    this.state = 'stopped'
  }

  async #step(): Promise<void> {
    this.#appended = false
    const records = await this.#readBatch()
    if (records === null) return
    if (records.length === 0) return this.#sleep(60_000, 'idle')

    await this.#runBatch(records)
  }

  /** Reads the next batch; null when the batching window asks to wait for more. */
  async #readBatch(): Promise<ChangeRecord[] | null> {
    const { batchSize, batchingWindowMs } = this.consumer
    const records = await this.#readAfterCheckpoint()
    await this.#noticeLostRecords(records)

    const first = records[0]
    if (first && records.length < batchSize && batchingWindowMs > 0 && !this.#blockedSinceMs) {
      const waitMs = first.createdAtMs + batchingWindowMs - Date.now()
      if (waitMs > 0) {
        await this.#sleep(waitMs, 'batching')
        return null
      }
    }
    const batch = this.#limitPayload(records.slice(0, batchSize))
    this.#ahead = this.#readsAhead() ? records.slice(batch.length) : []
    return batch
  }

  /**
   * The records after the checkpoint: those read ahead by the last query when there are any,
   * else a new query. Small batches read ahead (`readAheadRecords`): with a batch of one, a
   * query per record costs a fifth of what its checkpoint commit does. Records never change once
   * appended, so the ones read ahead are what a new query would return (one trimmed by retention
   * meanwhile is still delivered, as it is when trimmed after its batch was read); a retry reads
   * afresh.
   */
  async #readAfterCheckpoint(): Promise<ChangeRecord[]> {
    if (this.#ahead.length > 0) return this.#ahead
    const { stream, batchSize } = this.consumer
    const limit = this.#readsAhead() ? readAheadRecords : batchSize
    return this.store.readRecords(stream, this.shard, this.checkpoint, limit)
  }

  /** Read-ahead is for small batches handed over at once, never while a record is retried. */
  #readsAhead(): boolean {
    const { batchSize, batchingWindowMs } = this.consumer
    return batchSize < readAheadRecords && batchingWindowMs === 0 && this.#context.tracks.size === 0
  }

  /** Cuts the batch at `maxBatchBytes`, keeping at least one record. */
  #limitPayload(records: ChangeRecord[]): ChangeRecord[] {
    let bytes = 0
    const end = records.findIndex(
      (record) => (bytes += record.sizeBytes) > this.consumer.maxBatchBytes,
    )
    return end === -1 ? records : records.slice(0, Math.max(1, end))
  }

  async #runBatch(records: ChangeRecord[]): Promise<void> {
    this.state = 'running'
    const iteratorAgeMs = Date.now() - (records.at(-1)?.createdAtMs ?? Date.now())
    const metrics = this.#context.metrics
    metrics.iteratorAgeMs = iteratorAgeMs
    if (records.length === this.consumer.batchSize) metrics.throttles++

    const pass = this.consumer.handleBatch
      ? await runBatchPass(this.#context, records)
      : await runRecordPass(this.#context, records)

    await this.#save(records, pass, iteratorAgeMs)
    // A retry starts again from the checkpoint, which did not pass the blocking record.
    if (pass.blocking) this.#ahead = []
    if (pass.blocking) await this.#backOff(pass.blocking)
  }

  /** Walks the batch in order: the checkpoint passes every record not pending. */
  #commit(records: ChangeRecord[], pass: Pass): Commit {
    const commit: Commit = {
      checkpoint: this.checkpoint,
      deadLetters: [],
      failedTerminal: 0,
      filteredOut: 0,
      discarded: 0,
    }
    let prefix = true
    records.forEach((record, index) => {
      const status = pass.statuses[index]
      const sequence = Number(record.sequenceNumber)
      if (!status || status.kind === 'pending') {
        prefix = false
        return
      }
      if (prefix) commit.checkpoint = sequence
      if (prefix) this.#context.done.delete(sequence)
      else if (!this.#context.done.has(sequence)) this.#context.done.add(sequence)
      else return

      if (status.kind === 'filtered') commit.filteredOut++
      if (status.kind === 'failed') this.#onExhausted(record, status.error, status.track, commit)
    })
    return commit
  }

  /** Applies the failure mode to a record with no retry left. */
  #onExhausted(record: ChangeRecord, error: Error, track: FailureTrack, commit: Commit): void {
    const log = this.#log.child({ [logFields.sequenceNumber]: record.sequenceNumber })
    const queue = deadLetterQueueOf(this.consumer)
    const attempts = Math.max(1, track.failures)
    commit.failedTerminal++

    if (queue) {
      const letter = toDeadLetter(
        record,
        this.consumer.name,
        error,
        attempts,
        track.firstFailedMs,
        Date.now(),
      )
      commit.deadLetters.push(JSON.stringify(letter))
      log.warn({ err: error, attempts, queue }, 'record failed; dead-lettered')
    } else if (this.consumer.onFailure === 'log') {
      log.warn({ err: error, attempts }, 'record failed; logged and skipped')
    } else {
      commit.discarded++
      const tooOld = error.name === 'RecordTooOldError'
      log.error(
        { err: error, attempts },
        tooOld
          ? 'record is older than maxRecordAgeSeconds; discarded'
          : 'record failed and is out of retries; discarded',
      )
    }
  }

  async #save(records: ChangeRecord[], pass: Pass, iteratorAgeMs: number): Promise<void> {
    const commit = this.#commit(records, pass)
    const queue = deadLetterQueueOf(this.consumer)
    const blocking = pass.blocking
    if (blocking && this.#blockedSinceMs === null) this.#blockedSinceMs = Date.now()
    if (!blocking) this.#blockedSinceMs = null
    this.#context.metrics.deadLettered += commit.deadLetters.length
    this.#context.metrics.filteredOut += commit.filteredOut

    await this.store.write(async (tx) => {
      for (const work of pass.writes) await work(tx)
      if (queue) for (const body of commit.deadLetters) await tx.sendMessage(queue, body)
      await tx.saveProgress({
        consumer: this.consumer.name,
        stream: this.consumer.stream,
        shard: this.shard,
        checkpoint: commit.checkpoint,
        delivered: pass.delivered,
        failed: pass.failures,
        deadLettered: commit.deadLetters.length,
        filteredOut: commit.filteredOut,
        discarded: commit.discarded,
        iteratorAgeMs,
        lastError: pass.lastError ? `${pass.lastError.name}: ${pass.lastError.message}` : null,
        state: blocking ? 'retrying' : 'running',
        blockedSinceMs: this.#blockedSinceMs,
        blockingSequence: blocking ? Number(blocking.record.sequenceNumber) : null,
        blockingCreatedAtMs: blocking?.record.createdAtMs ?? null,
        blockingExpiresAtMs: blocking ? this.#expiresAtMs(blocking.record) : null,
        attempt: blocking ? blocking.track.failures + 1 : 0,
        lease: this.lease,
      })
    })
    this.checkpoint = commit.checkpoint
  }

  /** When a record is dropped: by the consumer's age limit or the stream's retention, first. */
  #expiresAtMs(record: ChangeRecord): number {
    const retentionMs = this.#stream?.retentionMs ?? 0
    const byRetention = record.createdAtMs + retentionMs
    const { maxRecordAgeMs } = this.consumer
    return maxRecordAgeMs < 0
      ? byRetention
      : Math.min(byRetention, record.createdAtMs + maxRecordAgeMs)
  }

  /** Waits out the backoff of the blocking record; only a stop ends the wait early. */
  async #backOff(blocking: Blocking): Promise<void> {
    const waitMs = backoffMs(this.consumer, blocking.track.failures)
    const retentionMs = this.#stream?.retentionMs ?? 0
    const expiresInMs = this.#expiresAtMs(blocking.record) - Date.now()
    const attempt = blocking.track.failures
    const loud = attempt <= blockedLogFirst || attempt % blockedLogEvery === 0
    this.#log[loud ? 'error' : 'debug'](
      {
        err: blocking.error,
        [logFields.sequenceNumber]: blocking.record.sequenceNumber,
        attempt: blocking.track.failures,
        waitMs: Math.round(waitMs),
        blockedSinceMs: this.#blockedSinceMs,
        expiresInMs,
      },
      expiresInMs < retentionMs / 10
        ? 'shard blocked: the failing record is dropped soon (age limit or retention)'
        : 'shard blocked on a failing record; retrying after a backoff',
    )
    await this.#sleep(waitMs, 'retrying')
  }

  /** A blocked shard whose blocking record is gone lost it (and maybe more) to retention. */
  async #noticeLostRecords(records: ChangeRecord[]): Promise<void> {
    const blocked = [...this.#context.tracks.keys()]
    if (blocked.length === 0) return
    const lowest = Math.min(...blocked)
    const first = records[0]
    if (first && Number(first.sequenceNumber) <= lowest) return

    const firstLeft = first ? Number(first.sequenceNumber) : Number.POSITIVE_INFINITY
    for (const sequence of blocked) if (sequence < firstLeft) this.#context.tracks.delete(sequence)
    const row = await this.store.getConsumerShard(this.consumer.name, this.shard)
    this.#context.metrics.expired = row?.expired ?? this.#context.metrics.expired
    this.#log.error(
      { blockingSequence: lowest, expired: row?.expired },
      'records expired from the stream while the shard was blocked; they are lost',
    )
  }

  #sleep(ms: number, state: ShardState): Promise<void> {
    this.state = state
    if (this.#stopping || (state !== 'retrying' && this.#appended)) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = () => {
        this.#wake = null
        done()
      }
    })
  }
}
