/**
 * Runs one consumer on one shard: read a batch after the checkpoint, hand each record to the
 * handler, apply the failure mode, then save the checkpoint (and any dead letters) in one write.
 *
 * States: `idle` (caught up, waiting for an append), `running` (a batch is in the handler),
 * `retrying` (failure mode `retry`: waiting out a backoff before trying the failing record
 * again), `stopped`. A stop lets the record in the handler finish and saves the checkpoint up to
 * the last finished record, never past one that did not finish.
 */
import { logFields, type Logger } from '../observe/logger.ts'
import { toDeadLetter } from '../queues/dead-letter.ts'
import type { Store } from '../store/index.ts'
import { formatShardId, parseSequenceNumber } from '../streams/positions.ts'
import type { ChangeRecord } from '../streams/types.ts'
import { deadLetterQueueOf, type ResolvedConsumer } from './definition.ts'
import { invokeRecordHandler } from './invoke.ts'

export type ShardState = 'idle' | 'running' | 'retrying' | 'stopped'

/** What one pass over a batch did. */
interface BatchOutcome {
  /** Sequence number of the last record that is done (handled, skipped or dead-lettered). */
  checkpoint: number
  delivered: number
  failed: number
  deadLetters: string[]
  lastError: Error | null
  /** Set when failure mode `retry` stopped the batch at a failing record. */
  blockedBy: ChangeRecord | null
}

export class ShardWorker {
  state: ShardState = 'idle'
  #stopping = false
  #wake: (() => void) | null = null
  /** Set by an append since the last read, so a wake-up that comes before the wait is kept. */
  #appended = false
  #attempt = 1
  #firstFailureMs = 0
  readonly #log: Logger

  constructor(
    private readonly store: Store,
    private readonly consumer: ResolvedConsumer,
    private readonly shard: number,
    private checkpoint: number,
    log: Logger,
  ) {
    this.#log = log.child({
      [logFields.consumer]: consumer.name,
      [logFields.stream]: consumer.stream,
      [logFields.shard]: formatShardId(shard),
    })
  }

  /** Tells the worker that its stream has new records; ends an idle wait, never a backoff. */
  wake(): void {
    this.#appended = true
    if (this.state === 'idle') this.#wake?.()
  }

  /** Asks the loop to stop after the record in the handler; `run()` resolves once it has. */
  stop(): void {
    this.#stopping = true
    this.#wake?.()
  }

  async run(): Promise<void> {
    while (!this.#stopping) {
      this.#appended = false
      const records = await this.store.readRecords(
        this.consumer.stream,
        this.shard,
        this.checkpoint,
        this.consumer.batchSize,
      )
      if (records.length === 0) {
        await this.#sleep(60_000, 'idle')
        continue
      }
      await this.#runBatch(records)
    }
    this.state = 'stopped'
  }

  async #runBatch(records: ChangeRecord[]): Promise<void> {
    this.state = 'running'
    const iteratorAgeMs = Date.now() - (records.at(-1)?.createdAtMs ?? Date.now())
    const outcome = await this.#handle(records)

    if (outcome.checkpoint > this.checkpoint || outcome.failed > 0) {
      await this.#save(outcome, iteratorAgeMs)
    }
    if (outcome.blockedBy) await this.#backOff(outcome.blockedBy, outcome.lastError)
  }

  async #handle(records: ChangeRecord[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = {
      checkpoint: this.checkpoint,
      delivered: 0,
      failed: 0,
      deadLetters: [],
      lastError: null,
      blockedBy: null,
    }
    for (const record of records) {
      if (this.#stopping) break

      outcome.delivered++
      const error = await invokeRecordHandler(this.consumer, record, this.#attempt, this.#log)
      if (error) {
        outcome.failed++
        outcome.lastError = error
        if (!this.#onFailure(record, error, outcome)) break
      } else {
        this.#attempt = 1
      }
      outcome.checkpoint = parseSequenceNumber(record.sequenceNumber)
    }
    return outcome
  }

  /** Applies the failure mode to a failed record; false when the batch must stop here. */
  #onFailure(record: ChangeRecord, error: Error, outcome: BatchOutcome): boolean {
    const log = this.#log.child({ [logFields.sequenceNumber]: record.sequenceNumber })
    const nowMs = Date.now()
    if (this.#attempt === 1) this.#firstFailureMs = nowMs

    if (this.consumer.onFailure === 'retry') {
      log.error({ err: error, attempt: this.#attempt }, 'record failed; the shard retries it')
      outcome.blockedBy = record
      return false
    }

    if (this.consumer.onFailure === 'log') {
      log.warn({ err: error }, 'record failed; logged and skipped')
    } else {
      const letter = toDeadLetter(
        record,
        this.consumer.name,
        error,
        this.#attempt,
        this.#firstFailureMs,
        nowMs,
      )
      outcome.deadLetters.push(JSON.stringify(letter))
      log.warn(
        { err: error, queue: deadLetterQueueOf(this.consumer) },
        'record failed; dead-lettered',
      )
    }
    this.#attempt = 1
    return true
  }

  async #save(outcome: BatchOutcome, iteratorAgeMs: number): Promise<void> {
    const queue = deadLetterQueueOf(this.consumer)
    await this.store.write(async (tx) => {
      if (queue) for (const body of outcome.deadLetters) await tx.sendMessage(queue, body)
      await tx.saveProgress({
        consumer: this.consumer.name,
        stream: this.consumer.stream,
        shard: this.shard,
        checkpoint: outcome.checkpoint,
        delivered: outcome.delivered,
        failed: outcome.failed,
        deadLettered: outcome.deadLetters.length,
        iteratorAgeMs,
        lastError: outcome.lastError
          ? `${outcome.lastError.name}: ${outcome.lastError.message}`
          : null,
      })
    })
    this.checkpoint = outcome.checkpoint
  }

  /** Exponential backoff with full jitter, capped; a stop or wake ends the wait early. */
  async #backOff(record: ChangeRecord, error: Error | null): Promise<void> {
    const { initialMs, maxMs } = this.consumer.retryBackoff
    const ceilingMs = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt - 1, 30))
    const waitMs = ceilingMs / 2 + Math.random() * (ceilingMs / 2)
    this.#log.debug(
      { sequenceNumber: record.sequenceNumber, attempt: this.#attempt, waitMs, err: error },
      'waiting before the next attempt',
    )
    this.#attempt++
    await this.#sleep(waitMs, 'retrying')
  }

  #sleep(ms: number, state: ShardState): Promise<void> {
    this.state = state
    if (this.#stopping || (state === 'idle' && this.#appended)) return Promise.resolve()
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
