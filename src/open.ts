/**
 * `open`: the library's front door. It opens the store, registers the declared streams, queues
 * and consumers in it, and hands out tables and queues. `start` runs the consumers and the
 * retention trimmer until `stop`.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  declaredQueues,
  defaultStorePath,
  validateConfig,
  type EddyConfig,
} from './config/index.ts'
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
import { NotFoundError, StoppedError, ValidationError } from './errors.ts'
import {
  resolveAlarm,
  storeAlarmMonitor,
  type AlarmMonitor,
  type ResolvedAlarm,
  type StoreMonitorOptions,
} from './observe/alarms/index.ts'
import { createLogger, type Logger } from './observe/logger.ts'
import { readStatus, type StatusReport } from './observe/status.ts'
import { toQueueRow } from './queues/definition.ts'
import { Queue, type QueueAttributes, type QueueDefinition } from './queues/index.ts'
import { moveMessages, type MoveOptions, type MoveSummary } from './queues/move.ts'
import { reprocess, type ReprocessOptions, type ReprocessSummary } from './queues/reprocess.ts'
import {
  defaultCompatibility,
  inferStreamSchema,
  planSchemas,
  readersOf,
  registerSchemas,
  resolveStreamSchemas,
  summarizeReport,
  type InferOptions,
  type InferredSchema,
  type JsonSchema,
  type ResolvedStreamSchemas,
  type SchemaCheckReport,
  type StoredSchema,
} from './schemas/index.ts'
import { openStore, type Store, type StreamRow } from './store/index.ts'
import {
  defaultRetentionHours,
  defaultShardCount,
  type StreamDefinition,
} from './streams/definition.ts'
import { Stream } from './streams/reader.ts'
import { trimExpiredRecords } from './streams/retention.ts'
import type { StreamViewType } from './streams/types.ts'
import { resolveTable, Table, type ResolvedTable, type WriteResult } from './tables/index.ts'
import { planTransaction, runTransaction, type TransactWriteRequest } from './tables/transaction.ts'
import { deleteExpiredItems } from './tables/ttl.ts'

export interface OpenOptions {
  /** Logger for everything Eddy logs. Default: pino on standard error at the config's level. */
  logger?: Logger
  /** Overrides the config's store path. */
  storePath?: string
  /**
   * Register the config's schema versions at open (default true). `eddy schema check` opens
   * with false, so that it can report on versions that registration would refuse.
   */
  registerSchemas?: boolean
  /** Refuse to open a store that does not exist yet, instead of creating an empty one. */
  mustExist?: boolean
  /** How often `start` runs `maintain` (time to live and retention), in milliseconds. Default 60,000. */
  maintenanceIntervalMs?: number
  /** Overrides the config's lease timings. */
  leases?: RunnerOptions
}

/** What one maintenance pass removed. */
export interface MaintenanceSummary {
  /** Items deleted because their time to live passed. */
  expiredItems: number
  /** Records deleted because they were older than their stream's retention. */
  trimmedRecords: number
}

/** A dead-letter queue: its counts and attributes, and what sends to it. */
export interface DeadLetterQueueStatus extends QueueAttributes {
  /** Such as `consumer ratings` or `queue jobs`. */
  sources: string[]
}

/** An open Eddy: tables, queues and consumers on one store. */
export class Eddy {
  readonly #tables: Map<string, ResolvedTable>
  readonly #streams: Map<string, StreamDefinition>
  readonly #queues: Map<string, QueueDefinition>
  readonly #consumers: Map<string, ResolvedConsumer>
  readonly #schemas: Map<string, ResolvedStreamSchemas>
  readonly #alarms: ResolvedAlarm[]
  #runner: ConsumerRunner | null = null
  #monitor: AlarmMonitor | null = null
  #retention: NodeJS.Timeout | null = null
  readonly #leases: RunnerOptions

  constructor(
    readonly store: Store,
    readonly log: Logger,
    config: EddyConfig,
    private readonly maintenanceIntervalMs = 60_000,
    leases: RunnerOptions = {},
  ) {
    this.#leases = { ...config.leases, ...leases }
    this.#tables = new Map((config.tables ?? []).map((t) => [t.name, resolveTable(t)]))
    this.#streams = new Map((config.streams ?? []).map((s) => [s.name, s]))
    this.#consumers = new Map((config.consumers ?? []).map((c) => [c.name, resolveConsumer(c)]))
    this.#queues = new Map(declaredQueues(config).map((q) => [q.name, q]))
    this.#schemas = new Map((config.schemas ?? []).map((s) => [s.stream, resolveStreamSchemas(s)]))
    this.#alarms = (config.alarms ?? []).map(resolveAlarm)
  }

  /** A declared table. Throws `NotFoundError` for an unknown name. */
  table<TItem extends object = Record<string, unknown>>(name: string): Table<TItem> {
    const table = this.#tables.get(name)
    if (!table)
      throw new NotFoundError(
        `Table "${name}" is not declared: known tables are ${list(this.#tables)}`,
      )
    return new Table(this.store, table)
  }

  /** A declared stream: a table's stream (named after its table) or a standalone one. */
  stream(name: string): Stream {
    if (!this.#tables.has(name) && !this.#streams.has(name)) {
      const known = list(new Map<string, unknown>([...this.#tables, ...this.#streams]))
      throw new NotFoundError(
        `Stream "${name}" is not declared: known tables and streams are ${known}`,
      )
    }
    return new Stream(this.store, name)
  }

  /**
   * Writes up to 100 puts, updates, deletes and condition checks, on any tables, all together or
   * not at all. A failed condition throws `ConditionalCheckFailedError` whose `index` names the
   * request; nothing is written and no change record appended.
   */
  async transactWrite(requests: TransactWriteRequest[]): Promise<WriteResult[]> {
    const plans = planTransaction((name) => this.table(name).definition, requests)
    return this.store.write((tx) => runTransaction(tx, plans))
  }

  /**
   * Enables or disables a table's stream, or changes its view type. Each enable and each view
   * type change gives the stream a new label, as on DynamoDB; records already written stay
   * readable until retention removes them. The config wins again at the next `open`.
   */
  async updateTableStream(
    tableName: string,
    state: { enabled: boolean; viewType?: StreamViewType },
  ): Promise<StreamRow> {
    const table = this.table(tableName).definition
    return this.store.write(async (tx) => {
      const current =
        (await tx.getStream(table.name)) ??
        (await tx.ensureStream(this.#declaredStream(table, false)))
      const viewType = state.viewType ?? current.viewType
      return tx.setStreamState(table.name, { enabled: state.enabled, viewType })
    })
  }

  /** Deletes expired items (time to live) and trims records past retention, once. */
  async maintain(nowMs = Date.now()): Promise<MaintenanceSummary> {
    const expiredItems = await deleteExpiredItems(this.store, this.#tables.values(), nowMs)
    if (expiredItems > 0)
      this.log.info({ items: expiredItems }, 'deleted items whose time to live passed')
    const trimmedRecords = await trimExpiredRecords(this.store, this.log, nowMs)
    return { expiredItems, trimmedRecords }
  }

  /** A declared queue (dead-letter queues of consumers are declared by naming them). */
  queue(name: string): Queue {
    const queue = this.#queues.get(name)
    if (!queue)
      throw new NotFoundError(
        `Queue "${name}" is not declared: known queues are ${list(this.#queues)}`,
      )
    return new Queue(this.store, queue)
  }

  /** The declared tables, with defaults filled in. */
  tables(): ResolvedTable[] {
    return [...this.#tables.values()]
  }

  /** The declared consumers, with defaults filled in. */
  consumers(): ResolvedConsumer[] {
    return [...this.#consumers.values()]
  }

  /**
   * Writes the declared streams, queues and consumers into the store, then (unless `schemas` is
   * false) registers the declared schema versions: idempotently, and refusing with a
   * `SchemaIncompatibleError` a new version that its mode or a consumer's contract forbids.
   */
  async register(options: { schemas?: boolean } = {}): Promise<void> {
    await this.store.write(async (tx) => {
      for (const table of this.#tables.values()) {
        await tx.ensureTable(table.name, {
          partitionKey: table.partitionKey,
          sortKey: table.sortKey,
        })
        const current = await tx.getStream(table.name)
        if (table.stream) await tx.ensureStream(this.#declaredStream(table, true))
        else if (current?.enabled) {
          await tx.setStreamState(table.name, { enabled: false, viewType: current.viewType })
        }
      }
      for (const stream of this.#streams.values()) {
        await tx.ensureStream({
          name: stream.name,
          table: null,
          viewType: 'NEW_IMAGE',
          shardCount: stream.shards ?? defaultShardCount,
          retentionMs: (stream.retentionHours ?? defaultRetentionHours) * 3_600_000,
        })
      }
      for (const queue of this.#queues.values()) {
        await tx.ensureQueue(toQueueRow(queue))
      }
    })
    for (const consumer of this.#consumers.values()) await this.#registerConsumer(consumer)
    if (options.schemas !== false) await this.#registerSchemas()
  }

  /**
   * Checks schemas without registering them: `schema` as the next version of `stream`, or else
   * the config's versions not yet registered (for every stream with schemas, or `stream`).
   */
  async checkSchemas(
    options: { stream?: string; schema?: JsonSchema } = {},
  ): Promise<SchemaCheckReport[]> {
    const streams = options.stream ? [this.#streamName(options.stream)] : [...this.#schemas.keys()]
    const reports: SchemaCheckReport[] = []
    for (const stream of streams) {
      const declared = this.#schemas.get(stream) ?? (await this.#undeclaredSchemas(stream))
      const readers = readersOf(this.#consumers.values(), stream)
      reports.push(...(await planSchemas(this.store, declared, readers, options.schema)))
    }
    return reports
  }

  /** The registered schema versions of a stream, oldest first. */
  async schemaVersions(stream: string): Promise<StoredSchema[]> {
    return this.store.listSchemas(this.#streamName(stream))
  }

  /** Infers the schema of the items a stream has carried (a sample, or every record kept). */
  async inferSchema(stream: string, options?: InferOptions): Promise<InferredSchema> {
    const row = await this.store.getStream(this.#streamName(stream))
    return inferStreamSchema(this.store, stream, row?.shardCount ?? 0, options)
  }

  #declaredStream(table: ResolvedTable, declared: boolean) {
    const stream = table.stream
    return {
      name: table.name,
      table: table.name,
      viewType: stream?.viewType ?? ('NEW_AND_OLD_IMAGES' as const),
      shardCount: stream?.shards ?? defaultShardCount,
      retentionMs: (declared && stream ? stream.retentionHours : defaultRetentionHours) * 3_600_000,
    }
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

  /** Runs the consumers, the retention trimmer and the alarms until `stop`. */
  async start(): Promise<void> {
    if (this.#runner) return
    this.#runner = new ConsumerRunner(this.store, this.log, this.#leases)
    await this.#runner.start(this.consumers())
    this.#retention = setInterval(() => void this.#trim(), this.maintenanceIntervalMs)
    this.#retention.unref()
    void this.#trim()
    if (this.#alarms.length > 0) {
      this.#monitor = this.alarmMonitor()
      await this.#monitor.start()
    }
  }

  /** Stops the consumers; no checkpoint moves past a record whose handler did not finish. */
  async stop(): Promise<void> {
    if (this.#retention) clearInterval(this.#retention)
    this.#retention = null
    await this.#monitor?.stop()
    this.#monitor = null
    await this.#runner?.stop()
    this.#runner = null
  }

  async status(): Promise<StatusReport> {
    return readStatus(
      this.store,
      this.#alarms.map((alarm) => alarm.name),
    )
  }

  /** A monitor of the declared alarms on this store; `start()` runs one. */
  alarmMonitor(options?: StoreMonitorOptions): AlarmMonitor {
    return storeAlarmMonitor(this.store, this.#alarms, this.log, options)
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
      throw new NotFoundError(
        `Consumer "${consumer}" is not declared: known consumers are ${list(this.#consumers)}`,
      )
    }
    return replay(this.store, found, options)
  }

  /** Disables or enables a consumer in every process sharing the store; checkpoints stay. */
  async setEnabled(consumer: string, enabled: boolean): Promise<void> {
    if (!this.#consumers.has(consumer)) {
      throw new NotFoundError(
        `Consumer "${consumer}" is not declared: known consumers are ${list(this.#consumers)}`,
      )
    }
    await this.store.write((tx) => tx.setConsumerEnabled(consumer, enabled))
    await this.#runner?.tick()
  }

  /** Runs the dead letters of `queue` through their consumers' record handlers again. */
  async reprocess(queue: string, options?: ReprocessOptions): Promise<ReprocessSummary> {
    this.queue(queue)
    for (const name of [options?.consumer, options?.filter?.consumer]) {
      if (name !== undefined && !this.#consumers.has(name)) {
        throw new NotFoundError(
          `Consumer "${name}" is not declared: known consumers are ${list(this.#consumers)}`,
        )
      }
    }
    return reprocess(this.store, queue, this.#consumers, this.log, options)
  }

  /**
   * Moves the visible messages of `queue` to `options.to`, or back to the queue each was
   * redriven from; each arrives as a new message. See `MoveOptions`.
   */
  async move(queue: string, options: MoveOptions = {}): Promise<MoveSummary> {
    this.queue(queue)
    if (options.to !== undefined) this.queue(options.to)
    if (options.to === queue) {
      throw new ValidationError(
        `Move from queue "${queue}" to itself: name another queue with --to, or leave it out ` +
          'to move each message back to the queue it was redriven from',
      )
    }
    return moveMessages(this.store, queue, options)
  }

  /**
   * The dead-letter queues (those a consumer or a redrive policy sends to), with what feeds
   * each, their counts and the age of their oldest message.
   */
  async deadLetterQueues(): Promise<DeadLetterQueueStatus[]> {
    const sources = new Map<string, string[]>()
    const add = (queue: string, source: string) =>
      sources.set(queue, [...(sources.get(queue) ?? []), source])
    for (const consumer of this.#consumers.values()) {
      const queue = deadLetterQueueOf(consumer)
      if (queue) add(queue, `consumer ${consumer.name}`)
    }
    for (const queue of this.#queues.values()) {
      if (queue.redrivePolicy) add(queue.redrivePolicy.deadLetterQueue, `queue ${queue.name}`)
    }
    const statuses: DeadLetterQueueStatus[] = []
    for (const [queue, from] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
      statuses.push({ ...(await this.queue(queue).attributes()), sources: from })
    }
    return statuses
  }

  /** The declared queues, dead-letter queues of consumers included. */
  queues(): QueueDefinition[] {
    return [...this.#queues.values()]
  }

  /** Stops everything and closes the store. */
  async close(): Promise<void> {
    await this.stop()
    await this.store.close()
  }

  async #registerConsumer(consumer: ResolvedConsumer): Promise<void> {
    const shardCount = (await this.store.getStream(consumer.stream))?.shardCount ?? 0
    const startAfter = await startingCheckpoints(this.store, consumer, shardCount)
    await this.store.write((tx) => tx.ensureConsumer(consumer.name, consumer.stream, startAfter))
  }

  async #registerSchemas(): Promise<void> {
    const reports = await this.store.write(async (tx) => {
      const all: SchemaCheckReport[] = []
      for (const declared of this.#schemas.values()) {
        const readers = readersOf(this.#consumers.values(), declared.stream)
        all.push(...(await registerSchemas(tx, declared, readers)))
      }
      return all
    })
    // A version registered earlier stays, even when a consumer's contract no longer fits it;
    // its records will fail that contract at run time, so say so now.
    for (const report of reports.filter((r) => r.registered && !r.ok)) {
      const remedy = 'fix the contract or register a new version'
      this.log.warn({ stream: report.stream }, `${summarizeReport(report)}: ${remedy}`)
    }
  }

  async #undeclaredSchemas(stream: string): Promise<ResolvedStreamSchemas> {
    const compatibility = (await this.store.getCompatibility(stream)) ?? defaultCompatibility
    return { stream, compatibility, versions: [] }
  }

  /** Checks that a stream is declared; throws `NotFoundError` naming the known ones. */
  #streamName(stream: string): string {
    const table = this.#tables.get(stream)
    if (!table?.stream) {
      const known = new Map([...this.#tables].filter(([, t]) => t.stream !== null))
      throw new NotFoundError(
        `Stream "${stream}" is not declared: known streams are ${list(known)}`,
      )
    }
    return stream
  }

  async #trim(): Promise<void> {
    try {
      await this.maintain()
    } catch (error) {
      this.log.warn(
        { err: error },
        'deleting expired items or records failed; it is tried again later',
      )
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
  return Promise.all(
    shards.map((shard) => store.sequenceBefore(consumer.stream, shard, position.atTimestampMs)),
  )
}

function list(map: Map<string, unknown>): string {
  return [...map.keys()].map((name) => `"${name}"`).join(', ') || 'none'
}

/** Opens the store of a config and registers what it declares. */
export async function open(config: EddyConfig, options: OpenOptions = {}): Promise<Eddy> {
  const valid = validateConfig(config)
  const log = options.logger ?? createLogger({ level: valid.log?.level })
  const path = resolve(options.storePath ?? valid.store?.path ?? defaultStorePath)
  if (options.mustExist && !existsSync(path)) {
    throw new NotFoundError(
      `No store at ${path}: run \`eddy dev\` first, or point --store or the config's store.path ` +
        'at an existing database',
    )
  }

  const store = await openStore({
    path,
    durability: valid.store?.durability,
    pollIntervalMs: valid.store?.pollIntervalMs,
  })
  const eddy = new Eddy(store, log, valid, options.maintenanceIntervalMs, options.leases)
  try {
    await eddy.register({ schemas: options.registerSchemas !== false })
  } catch (error) {
    await store.close()
    throw error
  }
  return eddy
}
