/**
 * `open`: the library's front door. It opens the store, registers the declared streams, queues
 * and consumers in it, and hands out tables and queues. `start` runs the consumers and the
 * retention trimmer until `stop`.
 */
import { resolve } from 'node:path'
import { defaultStorePath, validateConfig, type EddyConfig } from './config/index.ts'
import {
  ConsumerRunner,
  deadLetterQueueOf,
  prometheusText,
  resolveConsumer,
  type ResolvedConsumer,
  type RunnerOptions,
  type ShardMetrics,
} from './consumers/index.ts'
import { replay, type ReplayOptions, type ReplayResult } from './consumers/replay.ts'
import { NotFoundError, StoppedError } from './errors.ts'
import { createLogger, type Logger } from './observe/logger.ts'
import { readStatus, type StatusReport } from './observe/status.ts'
import { Queue, type QueueDefinition } from './queues/index.ts'
import { reprocess, type ReprocessOptions, type ReprocessSummary } from './queues/reprocess.ts'
import { openStore, type Store } from './store/index.ts'
import { trimExpiredRecords } from './streams/retention.ts'
import { resolveTable, Table, type ResolvedTable } from './tables/index.ts'

export interface OpenOptions {
  /** Logger for everything Eddy logs. Default: pino on standard error at the config's level. */
  logger?: Logger
  /** Overrides the config's store path. */
  storePath?: string
  /** Overrides the config's lease timings. */
  leases?: RunnerOptions
}

const retentionIntervalMs = 60_000

/** An open Eddy: tables, queues and consumers on one store. */
export class Eddy {
  readonly #tables: Map<string, ResolvedTable>
  readonly #queues: Map<string, QueueDefinition>
  readonly #consumers: Map<string, ResolvedConsumer>
  #runner: ConsumerRunner | null = null
  #retention: NodeJS.Timeout | null = null
  readonly #leases: RunnerOptions

  constructor(
    readonly store: Store,
    readonly log: Logger,
    config: EddyConfig,
    leases: RunnerOptions = {},
  ) {
    this.#leases = { ...config.leases, ...leases }
    this.#tables = new Map((config.tables ?? []).map((t) => [t.name, resolveTable(t)]))
    this.#consumers = new Map((config.consumers ?? []).map((c) => [c.name, resolveConsumer(c)]))
    this.#queues = new Map((config.queues ?? []).map((q) => [q.name, q]))
    for (const consumer of this.#consumers.values()) {
      const queue = deadLetterQueueOf(consumer)
      if (queue && !this.#queues.has(queue)) this.#queues.set(queue, { name: queue })
    }
  }

  /** A declared table. Throws `NotFoundError` for an unknown name. */
  table<TItem extends object = Record<string, unknown>>(name: string): Table<TItem> {
    const table = this.#tables.get(name)
    if (!table) throw new NotFoundError(`Table "${name}" is not declared: known tables are ${list(this.#tables)}`)
    return new Table(this.store, table)
  }

  /** A declared queue (dead-letter queues of consumers are declared by naming them). */
  queue(name: string): Queue {
    const queue = this.#queues.get(name)
    if (!queue) throw new NotFoundError(`Queue "${name}" is not declared: known queues are ${list(this.#queues)}`)
    return new Queue(this.store, queue)
  }

  /** The declared consumers, with defaults filled in. */
  consumers(): ResolvedConsumer[] {
    return [...this.#consumers.values()]
  }

  /** Writes the declared streams, queues and consumers into the store. */
  async register(): Promise<void> {
    await this.store.write(async (tx) => {
      for (const table of this.#tables.values()) {
        if (!table.stream) continue
        await tx.ensureStream({
          name: table.name,
          table: table.name,
          viewType: table.stream.viewType,
          shardCount: table.stream.shards,
          retentionMs: table.stream.retentionHours * 3_600_000,
        })
      }
      for (const queue of this.#queues.values()) {
        await tx.ensureQueue(queue.name, (queue.visibilityTimeoutSeconds ?? 30) * 1000)
      }
    })
    for (const consumer of this.#consumers.values()) await this.#registerConsumer(consumer)
  }

  /**
   * Resolves once every consumer shard has finished every record now in its stream, or rejects
   * after `timeoutMs` (default 30 s) naming the shards still behind. A consumer stuck in `retry`
   * never catches up, so this is for tests, demos and scripts rather than for production.
   */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const behind = (await this.status()).consumers.filter((c) => c.behind > 0)
      if (behind.length === 0) return
      if (Date.now() > deadline) {
        const names = behind.map((c) => `${c.consumer}/${c.shard} (${c.behind} behind)`).join(', ')
        throw new StoppedError(`Consumers did not catch up within ${timeoutMs} ms: ${names}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Runs the consumers and the retention trimmer until `stop`. */
  async start(): Promise<void> {
    if (this.#runner) return
    this.#runner = new ConsumerRunner(this.store, this.log, this.#leases)
    await this.#runner.start(this.consumers())
    this.#retention = setInterval(() => void this.#trim(), retentionIntervalMs)
    this.#retention.unref()
    void this.#trim()
  }

  /** Stops the consumers; no checkpoint moves past a record whose handler did not finish. */
  async stop(): Promise<void> {
    if (this.#retention) clearInterval(this.#retention)
    this.#retention = null
    await this.#runner?.stop()
    this.#runner = null
  }

  async status(): Promise<StatusReport> {
    return readStatus(this.store)
  }

  /** The runner of `start()`, for its lease states; null before `start` and after `stop`. */
  get runner(): ConsumerRunner | null {
    return this.#runner
  }

  /**
   * Counters of every (consumer, shard) this process has run since `start`: invocations,
   * records, errors, throttles, duration, iterator age, dead-lettered, filtered out, expired.
   */
  metrics(): ShardMetrics[] {
    return this.#runner?.metrics.snapshot() ?? []
  }

  /** The same metrics in the Prometheus text format. */
  prometheusMetrics(): string {
    return prometheusText(this.metrics())
  }

  /**
   * Moves a consumer's checkpoints to a sequence number or a time, in every shard; the process
   * running a shard loses its lease and the shard restarts from the new checkpoint.
   */
  async replay(consumer: string, options: ReplayOptions): Promise<ReplayResult[]> {
    const found = this.#consumers.get(consumer)
    if (!found) {
      throw new NotFoundError(`Consumer "${consumer}" is not declared: known consumers are ${list(this.#consumers)}`)
    }
    return replay(this.store, found, options)
  }

  /** Disables or enables a consumer in every process sharing the store; checkpoints stay. */
  async setEnabled(consumer: string, enabled: boolean): Promise<void> {
    if (!this.#consumers.has(consumer)) {
      throw new NotFoundError(`Consumer "${consumer}" is not declared: known consumers are ${list(this.#consumers)}`)
    }
    await this.store.write((tx) => tx.setConsumerEnabled(consumer, enabled))
    await this.#runner?.tick()
  }

  /** Runs the dead letters of `queue` through their consumers' record handlers again. */
  async reprocess(queue: string, options?: ReprocessOptions): Promise<ReprocessSummary> {
    this.queue(queue)
    if (options?.consumer && !this.#consumers.has(options.consumer)) {
      throw new NotFoundError(`Consumer "${options.consumer}" is not declared: known consumers are ${list(this.#consumers)}`)
    }
    return reprocess(this.store, queue, this.#consumers, this.log, options)
  }

  /** Stops everything and closes the store. */
  async close(): Promise<void> {
    await this.stop()
    await this.store.close()
  }

  async #registerConsumer(consumer: ResolvedConsumer): Promise<void> {
    const table = this.#tables.get(consumer.stream)
    const shardCount = table?.stream?.shards ?? 0
    const startAfter = await startingCheckpoints(this.store, consumer, shardCount)
    await this.store.write((tx) => tx.ensureConsumer(consumer.name, consumer.stream, startAfter))
  }

  async #trim(): Promise<void> {
    try {
      await trimExpiredRecords(this.store, this.log)
    } catch (error) {
      this.log.warn({ err: error }, 'trimming expired records failed; it is tried again in a minute')
    }
  }
}

/** Where a new consumer starts in each shard: its first checkpoints. */
async function startingCheckpoints(
  store: Store,
  consumer: ResolvedConsumer,
  shardCount: number,
): Promise<number[]> {
  const position = consumer.startingPosition
  if (position === 'latest') return store.lastSequences(consumer.stream, shardCount)
  if (position === 'oldest') return new Array<number>(shardCount).fill(0)
  const shards = Array.from({ length: shardCount }, (_, shard) => shard)
  return Promise.all(shards.map((shard) => store.sequenceBefore(consumer.stream, shard, position.atTimestampMs)))
}

function list(map: Map<string, unknown>): string {
  return [...map.keys()].map((name) => `"${name}"`).join(', ') || 'none'
}

/** Opens the store of a config and registers what it declares. */
export async function open(config: EddyConfig, options: OpenOptions = {}): Promise<Eddy> {
  const valid = validateConfig(config)
  const log = options.logger ?? createLogger({ level: valid.log?.level })
  const path = resolve(options.storePath ?? valid.store?.path ?? defaultStorePath)

  const store = await openStore({
    path,
    durability: valid.store?.durability,
    pollIntervalMs: valid.store?.pollIntervalMs,
  })
  const eddy = new Eddy(store, log, valid, options.leases)
  try {
    await eddy.register()
  } catch (error) {
    await store.close()
    throw error
  }
  return eddy
}
