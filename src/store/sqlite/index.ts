/**
 * The embedded SQLite engine: one database file in WAL mode, a writer connection behind the
 * group-commit writer, and a reader connection for everything else. Several processes may open
 * one file; each sees the others' commits through `PRAGMA data_version`, polled while anyone
 * listens for appends.
 */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { EddyError, StoppedError } from '../../errors.ts'
import type { Store, StoreOptions, WriteOptions, WriteTx } from '../index.ts'
import { prepareAlarmReads, prepareAlarmWrites } from './alarms.ts'
import { prepareConsumerReads, prepareConsumerWrites } from './consumers.ts'
import { prepareIdempotencyWrites } from './idempotency.ts'
import { prepareItemQueries, prepareItems } from './items.ts'
import { prepareLeaseWrites } from './leases.ts'
import { migrate } from './migrations.ts'
import { prepareQueueMove } from './queue-move.ts'
import { prepareQueueReceive } from './queue-receive.ts'
import { prepareQueueReads, prepareQueueWrites } from './queues.ts'
import { prepareRecordReads, prepareRecordWrites } from './records.ts'
import { prepareTableWrites } from './tables.ts'
import { prepareSchemaReads, prepareSchemaWrites } from './schemas.ts'
import { SqliteWriteTx } from './write-tx.ts'
import { GroupCommitWriter } from './writer.ts'

/**
 * What a commit changed, for listeners: a stream that got records or a queue that got messages;
 * null when another process committed something (which, the poll cannot tell).
 */
type Change = { kind: 'stream' | 'queue'; name: string } | null

function connect(path: string, durability: 'full' | 'normal'): Database.Database {
  let db: Database.Database
  try {
    db = new Database(path)
  } catch (cause) {
    throw new EddyError('EDDY_STORE', `Cannot open the store at ${path}: ${String(cause)}`, {
      cause,
    })
  }
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return db
}

export async function openSqliteStore(options: StoreOptions): Promise<Store> {
  const location = resolve(options.path)
  mkdirSync(dirname(location), { recursive: true })

  const writeDb = connect(location, options.durability ?? 'full')
  try {
    migrate(writeDb)
  } catch (cause) {
    writeDb.close()
    throw new EddyError('EDDY_STORE', `Cannot open the store at ${location}: ${String(cause)}`, {
      cause,
    })
  }
  const readDb = connect(location, options.durability ?? 'full')

  return new SqliteStore(location, writeDb, readDb, options.pollIntervalMs ?? 100)
}

class SqliteStore implements Store {
  readonly engine = 'sqlite' as const
  readonly #writer: GroupCommitWriter<SqliteWriteTx>
  readonly #readStatements
  readonly #listeners = new Set<(change: Change) => void>()
  #poll: NodeJS.Timeout | null = null
  #dataVersion = 0

  constructor(
    readonly location: string,
    private readonly writeDb: Database.Database,
    private readonly readDb: Database.Database,
    private readonly pollIntervalMs: number,
  ) {
    const writes = {
      items: prepareItems(writeDb),
      records: prepareRecordWrites(writeDb),
      tables: prepareTableWrites(writeDb),
      consumers: prepareConsumerWrites(writeDb),
      leases: prepareLeaseWrites(writeDb),
      idempotency: prepareIdempotencyWrites(writeDb),
      queues: prepareQueueWrites(writeDb),
      schemas: prepareSchemaWrites(writeDb),
      receive: prepareQueueReceive(writeDb),
      move: prepareQueueMove(writeDb),
      alarms: prepareAlarmWrites(writeDb),
    }
    this.#writer = new GroupCommitWriter(
      writeDb,
      (nowMs) => new SqliteWriteTx(writes, nowMs),
      (tx) => this.#announce(tx),
      (tx) => tx.forgetLookups(),
    )
    this.#readStatements = {
      items: prepareItems(readDb),
      itemQueries: prepareItemQueries(readDb),
      records: prepareRecordReads(readDb),
      consumers: prepareConsumerReads(readDb),
      queues: prepareQueueReads(readDb),
      schemas: prepareSchemaReads(readDb),
      alarms: prepareAlarmReads(readDb),
      dataVersion: readDb.prepare<[], { data_version: number }>('PRAGMA data_version'),
    }
  }

  write<T>(work: (tx: WriteTx) => Promise<T>, options?: WriteOptions): Promise<T> {
    return this.#writer.write(work, options)
  }

  async getItem(address: Parameters<Store['getItem']>[0]) {
    return this.#reads.items.get(address)
  }

  async queryItems(query: Parameters<Store['queryItems']>[0]) {
    return this.#reads.itemQueries.query(query)
  }

  async scanItems(scan: Parameters<Store['scanItems']>[0]) {
    return this.#reads.itemQueries.scan(scan)
  }

  async getStream(name: string) {
    return this.#reads.records.getStream(name)
  }

  async listStreams() {
    return this.#reads.records.listStreams()
  }

  async readRecords(stream: string, shard: number, afterSequence: number, limit: number) {
    return this.#reads.records.read(stream, shard, afterSequence, limit)
  }

  async lastSequences(stream: string, shardCount: number) {
    return range(shardCount).map((shard) => this.#reads.records.lastSequence(stream, shard))
  }

  async shardStats(stream: string, shardCount: number) {
    return range(shardCount).map((shard) => this.#reads.records.shardStats(stream, shard))
  }

  async countRecordsAfter(stream: string, shard: number, afterSequence: number) {
    return this.#reads.records.countAfter(stream, shard, afterSequence)
  }

  async firstSequenceAtOrAfter(stream: string, shard: number, timeMs: number) {
    return this.#reads.records.firstSequenceAtOrAfter(stream, shard, timeMs)
  }

  async trimmedAfter(stream: string, shard: number, afterSequence: number) {
    return this.#reads.records.trimmedAfter(stream, shard, afterSequence)
  }

  async listConsumerShards() {
    return this.#reads.consumers.list()
  }

  async getConsumerShard(consumer: string, shard: number) {
    return this.#reads.consumers.get(consumer, shard)
  }

  async sequenceBefore(stream: string, shard: number, timeMs: number) {
    return this.#reads.consumers.sequenceBefore(stream, shard, timeMs)
  }

  async listQueues() {
    return this.#reads.queues.list()
  }

  async getQueue(name: string) {
    return this.#reads.queues.get(name)
  }

  async queueDepth(queue: string) {
    return this.#reads.queues.depth(queue, Date.now())
  }

  async listSchemas(stream: string) {
    return this.#reads.schemas.list(stream)
  }

  async getCompatibility(stream: string) {
    return this.#reads.schemas.compatibility(stream)
  }

  async peekMessages(queue: string, afterSequence: number, limit: number) {
    return this.#reads.queues.peek(queue, afterSequence, limit, Date.now())
  }

  async earliestVisibleAtMs(queue: string) {
    return this.#reads.queues.earliestVisibleAtMs(queue)
  }

  async listAlarmStates() {
    return this.#reads.alarms.list()
  }

  onAppend(listener: (stream: string | null) => void): () => void {
    return this.#listen((change) => {
      if (change === null || change.kind === 'stream') listener(change?.name ?? null)
    })
  }

  onQueueSend(listener: (queue: string | null) => void): () => void {
    return this.#listen((change) => {
      if (change === null || change.kind === 'queue') listener(change?.name ?? null)
    })
  }

  /** The reader's statements; a read after `close` fails with a clear error, not a TypeError. */
  get #reads() {
    if (!this.readDb.open) throw new StoppedError('The store is closed: open it again to read')
    return this.#readStatements
  }

  async close(): Promise<void> {
    this.#stopPolling()
    await this.#writer.close()
    this.writeDb.close()
    this.readDb.close()

    // Wake whoever still waits for a change (a long poll, say): its next read fails with a
    // StoppedError at once, instead of holding the process open until its wait time ends.
    for (const listener of this.#listeners) listener(null)
  }

  #listen(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener)
    this.#startPolling()
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) this.#stopPolling()
    }
  }

  #announce(tx: SqliteWriteTx): void {
    const changes: Change[] = [
      ...[...tx.appendedStreams].map((name) => ({ kind: 'stream' as const, name })),
      ...[...tx.sentQueues].map((name) => ({ kind: 'queue' as const, name })),
    ]
    for (const change of changes) for (const listener of this.#listeners) listener(change)
  }

  /** Another process's commit changes the reader's data_version; its streams are unknown. */
  #startPolling(): void {
    if (this.#poll) return
    this.#dataVersion = this.#reads.dataVersion.get()?.data_version ?? 0
    this.#poll = setInterval(() => {
      const version = this.#reads.dataVersion.get()?.data_version ?? 0
      if (version === this.#dataVersion) return
      this.#dataVersion = version
      for (const listener of this.#listeners) listener(null)
    }, this.pollIntervalMs)
    this.#poll.unref()
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll)
    this.#poll = null
  }
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index)
}
