/**
 * Consumers: event source mappings that read a stream in batches, each with its own checkpoint
 * per shard. `ConsumerRunner` runs one `ShardWorker` per (consumer, shard) and wakes them when
 * their stream gets records.
 */
import type { Logger } from '../observe/logger.ts'
import type { Store } from '../store/index.ts'
import type { ResolvedConsumer } from './definition.ts'
import { ShardWorker } from './shard-worker.ts'

export {
  deadLetterQueueOf,
  defineConsumer,
  resolveConsumer,
  type ConsumerDefinition,
  type FailureMode,
  type RecordContext,
  type RecordHandler,
  type ResolvedConsumer,
} from './definition.ts'
export { invokeRecordHandler } from './invoke.ts'
export type { ShardState } from './shard-worker.ts'

/** Runs consumers until stopped. */
export class ConsumerRunner {
  #workers: {
    consumer: ResolvedConsumer
    shard: number
    worker: ShardWorker
    done: Promise<void>
  }[] = []
  #unsubscribe: (() => void) | null = null

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** Starts a worker for every shard of every consumer, from its stored checkpoint. */
  async start(consumers: ResolvedConsumer[]): Promise<void> {
    const shards = await this.store.listConsumerShards()
    for (const consumer of consumers) {
      for (const row of shards.filter((s) => s.consumer === consumer.name)) {
        const worker = new ShardWorker(this.store, consumer, row.shard, row.checkpoint, this.log)
        const done = worker.run().catch((error: unknown) => {
          this.log.error(
            { err: error, consumer: consumer.name, shard: row.shard },
            'shard worker crashed',
          )
        })
        this.#workers.push({ consumer, shard: row.shard, worker, done })
      }
    }
    this.#unsubscribe = this.store.onAppend((stream) => this.#wake(stream))
  }

  /** Stops every worker after the record in its handler and waits for its checkpoint. */
  async stop(): Promise<void> {
    this.#unsubscribe?.()
    for (const { worker } of this.#workers) worker.stop()
    await Promise.all(this.#workers.map(({ done }) => done))
    this.#workers = []
  }

  /** The state of each running (consumer, shard). */
  states(): { consumer: string; shard: number; state: ShardWorker['state'] }[] {
    return this.#workers.map(({ consumer, shard, worker }) => ({
      consumer: consumer.name,
      shard,
      state: worker.state,
    }))
  }

  #wake(stream: string | null): void {
    for (const { consumer, worker } of this.#workers) {
      if (stream === null || consumer.stream === stream) worker.wake()
    }
  }
}
