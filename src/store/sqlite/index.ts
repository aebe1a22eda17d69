/**
 * The embedded SQLite engine: one database file in WAL mode, a writer connection behind the
 * group-commit writer, and a reader connection for everything else. Several processes may open
 * one file; each sees the others' commits through `PRAGMA data_version`, polled while anyone
 * listens for appends.
 */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { EddyError } from '../../errors.ts'
import type { NewChangeRecord } from '../../streams/types.ts'
import type { Store, StoreOptions, WriteTx } from '../index.ts'
import { prepareConsumerReads, prepareConsumerWrites } from './consumers.ts'
import { prepareIdempotencyWrites } from './idempotency.ts'
import { prepareItems } from './items.ts'
import { prepareLeaseWrites } from './leases.ts'
import { migrate } from './migrations.ts'
import { prepareQueueReads, prepareQueueWrites } from './queues.ts'
import { prepareRecordReads, prepareRecordWrites } from './records.ts'
import { GroupCommitWriter } from './writer.ts'

/** A write transaction that also remembers which streams it appended to. */
interface SqliteTx extends WriteTx {
  readonly appendedStreams: Set<string>
}

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
  migrate(writeDb)
  const readDb = connect(location, options.durability ?? 'full')

  return new SqliteStore(location, writeDb, readDb, options.pollIntervalMs ?? 100)
}

class SqliteStore implements Store {
  readonly engine = 'sqlite' as const
  readonly #writer: GroupCommitWriter<SqliteTx>
  readonly #reads
  readonly #listeners = new Set<(stream: string | null) => void>()
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
      consumers: prepareConsumerWrites(writeDb),
      leases: prepareLeaseWrites(writeDb),
      idempotency: prepareIdempotencyWrites(writeDb),
      queues: prepareQueueWrites(writeDb),
    }
    this.#writer = new GroupCommitWriter(
      writeDb,
      (nowMs) => makeTx(writes, nowMs),
      (tx) => this.#announce(tx.appendedStreams),
    )
    this.#reads = {
      items: prepareItems(readDb),
      records: prepareRecordReads(readDb),
      consumers: prepareConsumerReads(readDb),
      queues: prepareQueueReads(readDb),
      dataVersion: readDb.prepare<[], { data_version: number }>('PRAGMA data_version'),
    }
  }

  write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.#writer.write(work)
  }

  async getItem(address: Parameters<Store['getItem']>[0]) {
    return this.#reads.items.get(address)
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

  async queueDepth(queue: string) {
    return this.#reads.queues.depth(queue, Date.now())
  }

  onAppend(listener: (stream: string | null) => void): () => void {
    this.#listeners.add(listener)
    this.#startPolling()
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) this.#stopPolling()
    }
  }

  async close(): Promise<void> {
    this.#stopPolling()
    await this.#writer.close()
    this.writeDb.close()
    this.readDb.close()
  }

  #announce(streams: Iterable<string>): void {
    for (const stream of streams) for (const listener of this.#listeners) listener(stream)
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

type Writes = {
  items: ReturnType<typeof prepareItems>
  records: ReturnType<typeof prepareRecordWrites>
  consumers: ReturnType<typeof prepareConsumerWrites>
  leases: ReturnType<typeof prepareLeaseWrites>
  idempotency: ReturnType<typeof prepareIdempotencyWrites>
  queues: ReturnType<typeof prepareQueueWrites>
}

function makeTx(writes: Writes, nowMs: number): SqliteTx {
  const appendedStreams = new Set<string>()
  return {
    nowMs,
    appendedStreams,
    getItem: async (address) => writes.items.get(address),
    putItem: async (address, item) => writes.items.put(address, item),
    deleteItem: async (address) => writes.items.delete(address),
    appendRecord: async (record: NewChangeRecord) => {
      appendedStreams.add(record.stream)
      return writes.records.append(record)
    },
    ensureStream: async (stream) => writes.records.ensureStream(stream, nowMs),
    ensureConsumer: async (consumer, stream, startAfter) =>
      writes.consumers.ensure(consumer, stream, startAfter, nowMs),
    saveProgress: async (progress) => writes.consumers.save(progress, nowMs),
    moveCheckpoint: async (consumer, shard, checkpoint) => {
      writes.consumers.moveCheckpoint(consumer, shard, checkpoint)
      writes.leases.revoke(consumer, shard)
    },
    setConsumerEnabled: async (consumer, enabled) => writes.consumers.setEnabled(consumer, enabled),
    acquireLease: async (lease, expiryMs) => writes.leases.acquire(lease, expiryMs, nowMs),
    renewLease: async (lease, expiryMs) => writes.leases.renew(lease, expiryMs, nowMs),
    releaseLease: async (lease) => writes.leases.release(lease),
    heartbeatProcess: async (owner, expiryMs) => writes.leases.heartbeat(owner, expiryMs, nowMs),
    forgetProcess: async (owner) => writes.leases.forget(owner),
    claimIdempotencyKey: async (key, expiryMs) => writes.idempotency.claim(key, expiryMs, nowMs),
    completeIdempotencyKey: async (key, ttlMs) => writes.idempotency.complete(key, ttlMs, nowMs),
    failIdempotencyKey: async (key, error, ttlMs) =>
      writes.idempotency.fail(key, error, ttlMs, nowMs),
    ensureQueue: async (queue, visibilityTimeoutMs) =>
      writes.queues.ensure(queue, visibilityTimeoutMs, nowMs),
    sendMessage: async (queue, body) => writes.queues.send(queue, body, nowMs),
    receiveMessages: async (queue, max, visibilityTimeoutMs) =>
      writes.queues.receive(queue, max, visibilityTimeoutMs, nowMs),
    deleteMessage: async (queue, receiptHandle) => writes.queues.delete(queue, receiptHandle),
    trimStream: async (stream, olderThanMs, limit) => {
      let removed = 0
      for (let shard = 0; shard < writes.records.shardCount(stream); shard++) {
        // Records a consumer had not finished are counted as lost before they go.
        writes.consumers.countLost(stream, shard, olderThanMs, limit - removed)
        removed += writes.records.trimShard(stream, shard, olderThanMs, limit - removed)
        if (removed >= limit) break
      }
      return removed
    },
  }
}
