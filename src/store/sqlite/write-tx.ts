/**
 * The write transaction the group-commit writer hands to each write: the store's write
 * statements bound to one transaction's clock, plus what the transaction has cached and what it
 * must announce after its commit. A class, so that opening a transaction allocates a handful of
 * fields rather than a closure per method.
 */
import type { NewChangeRecord } from '../../streams/types.ts'
import type { StreamRow, WriteTx } from '../index.ts'
import type { prepareConsumerWrites } from './consumers.ts'
import type { prepareIdempotencyWrites } from './idempotency.ts'
import type { JsonTexts, prepareItems } from './items.ts'
import type { prepareLeaseWrites } from './leases.ts'
import type { prepareQueueMove } from './queue-move.ts'
import type { prepareQueueReceive } from './queue-receive.ts'
import type { prepareQueueWrites } from './queues.ts'
import type { prepareRecordWrites } from './records.ts'
import type { prepareSchemaWrites } from './schemas.ts'
import type { prepareAlarmWrites } from './alarms.ts'
import type { prepareTableWrites } from './tables.ts'

/** The writer connection's prepared statements, grouped by what they change. */
export interface Writes {
  items: ReturnType<typeof prepareItems>
  records: ReturnType<typeof prepareRecordWrites>
  tables: ReturnType<typeof prepareTableWrites>
  consumers: ReturnType<typeof prepareConsumerWrites>
  leases: ReturnType<typeof prepareLeaseWrites>
  idempotency: ReturnType<typeof prepareIdempotencyWrites>
  queues: ReturnType<typeof prepareQueueWrites>
  schemas: ReturnType<typeof prepareSchemaWrites>
  alarms: ReturnType<typeof prepareAlarmWrites>
  receive: ReturnType<typeof prepareQueueReceive>
  move: ReturnType<typeof prepareQueueMove>
}

/**
 * A lookup every write of a transaction repeats (a table's stream, its latest schema version, a
 * queue's attributes), read once per transaction: the transaction holds the write lock, so only
 * its own writes can change the answer. A change forgets the entry, and a savepoint rollback
 * forgets them all, so that nothing rolled back is ever remembered.
 */
class Lookup<V> {
  readonly #values = new Map<string, V>()

  constructor(private readonly load: (key: string) => V) {}

  get(key: string): V {
    if (this.#values.has(key)) return this.#values.get(key) as V
    const value = this.load(key)
    this.#values.set(key, value)
    return value
  }

  forget(key: string): void {
    this.#values.delete(key)
  }

  clear(): void {
    this.#values.clear()
  }
}

/** A write transaction that also remembers which streams it appended to and queues it sent to. */
export class SqliteWriteTx implements WriteTx {
  readonly appendedStreams = new Set<string>()
  readonly sentQueues = new Set<string>()
  readonly #streams: Lookup<StreamRow | undefined>
  readonly #schemaVersions: Lookup<number | null>
  readonly #queues: Lookup<ReturnType<Writes['queues']['lookup']>>
  // The JSON text of items this transaction read or wrote, so that a change record copies it
  // instead of serializing the same item a second time.
  readonly #texts: JsonTexts = new WeakMap()

  constructor(
    private readonly writes: Writes,
    readonly nowMs: number,
  ) {
    this.#streams = new Lookup((name) => writes.records.getStream(name))
    this.#schemaVersions = new Lookup((stream) => writes.schemas.latestVersion(stream))
    this.#queues = new Lookup((name) => writes.queues.lookup(name))
  }

  /** Drops every cached lookup: a savepoint rolled back what they may have seen. */
  forgetLookups(): void {
    this.#streams.clear()
    this.#schemaVersions.clear()
    this.#queues.clear()
  }

  async getItem(address: Parameters<WriteTx['getItem']>[0]) {
    return this.writes.items.get(address, this.#texts)
  }

  async putItem(...[address, item, expiresAtSeconds]: Parameters<WriteTx['putItem']>) {
    this.writes.items.put(address, item, expiresAtSeconds ?? null, this.#texts)
  }

  async deleteItem(address: Parameters<WriteTx['deleteItem']>[0]) {
    this.writes.items.delete(address)
  }

  async expiredItems(table: string, nowSeconds: number, limit: number) {
    return this.writes.items.expired(table, nowSeconds, limit)
  }

  async appendRecord(record: NewChangeRecord) {
    this.appendedStreams.add(record.stream)
    return this.writes.records.append(record, this.#texts)
  }

  async ensureTable(...[name, keys]: Parameters<WriteTx['ensureTable']>) {
    this.writes.tables.ensure(name, keys, this.nowMs)
  }

  async ensureStream(stream: Parameters<WriteTx['ensureStream']>[0]) {
    this.#streams.forget(stream.name)
    return this.writes.records.ensureStream(stream, this.nowMs)
  }

  async getStream(name: string) {
    return this.#streams.get(name)
  }

  async setStreamState(...[name, state]: Parameters<WriteTx['setStreamState']>) {
    this.#streams.forget(name)
    return this.writes.records.setStreamState(name, state, this.nowMs)
  }

  async ensureConsumer(consumer: string, stream: string, startAfter: number[]) {
    this.writes.consumers.ensure(consumer, stream, startAfter, this.nowMs)
  }

  async saveProgress(progress: Parameters<WriteTx['saveProgress']>[0]) {
    this.writes.consumers.save(progress, this.nowMs)
  }

  async ensureQueue(queue: Parameters<WriteTx['ensureQueue']>[0]) {
    this.#queues.forget(queue.name)
    this.writes.queues.ensure(queue, this.nowMs)
  }

  async sendMessage(queue: string, body: string) {
    const row = this.#queues.get(queue)
    this.sentQueues.add(queue)
    return this.writes.queues.sendBody(row, body, this.nowMs)
  }

  async sendMessages(...[queue, messages]: Parameters<WriteTx['sendMessages']>) {
    const row = this.#queues.get(queue)
    this.sentQueues.add(queue)
    return this.writes.queues.send(row, messages, this.nowMs)
  }

  async receiveMessages(...[queue, request]: Parameters<WriteTx['receiveMessages']>) {
    // A redrive sends to the dead-letter queue; its long pollers must hear of it.
    const { messages, redrivenTo } = this.writes.receive.receive(queue, request, this.nowMs)
    if (redrivenTo) this.sentQueues.add(redrivenTo)
    return messages
  }

  async deleteMessage(queue: string, receiptHandle: string) {
    return this.writes.receive.delete(queue, receiptHandle)
  }

  async changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutMs: number) {
    return this.writes.receive.changeVisibility(
      queue,
      receiptHandle,
      visibilityTimeoutMs,
      this.nowMs,
    )
  }

  async purgeQueue(queue: string) {
    return this.writes.receive.purge(queue)
  }

  async moveMessages(from: string, to: string | null, afterSequence: number, max: number) {
    const moved = this.writes.move.move(from, to, afterSequence, max, this.nowMs)
    for (const message of moved) {
      if (message.to && message.newMessageId) this.sentQueues.add(message.to)
    }
    return moved
  }

  async trimStream(stream: string, olderThanMs: number, limit: number) {
    const { records } = this.writes
    let removed = 0
    for (let shard = 0; shard < records.shardCount(stream); shard++) {
      // Records a consumer had not finished are counted as lost before they go.
      this.writes.consumers.countLost(stream, shard, olderThanMs, limit - removed)
      removed += records.trimShard(stream, shard, olderThanMs, limit - removed, this.nowMs)
      if (removed >= limit) break
    }
    return removed
  }

  async moveCheckpoint(consumer: string, shard: number, checkpoint: number) {
    this.writes.consumers.moveCheckpoint(consumer, shard, checkpoint)
    this.writes.leases.revoke(consumer, shard)
  }

  async setConsumerEnabled(consumer: string, enabled: boolean) {
    this.writes.consumers.setEnabled(consumer, enabled)
  }

  async acquireLease(...[lease, expiryMs]: Parameters<WriteTx['acquireLease']>) {
    return this.writes.leases.acquire(lease, expiryMs, this.nowMs)
  }

  async renewLease(...[lease, expiryMs]: Parameters<WriteTx['renewLease']>) {
    return this.writes.leases.renew(lease, expiryMs, this.nowMs)
  }

  async releaseLease(lease: Parameters<WriteTx['releaseLease']>[0]) {
    this.writes.leases.release(lease)
  }

  async heartbeatProcess(owner: string, expiryMs: number) {
    return this.writes.leases.heartbeat(owner, expiryMs, this.nowMs)
  }

  async forgetProcess(owner: string) {
    this.writes.leases.forget(owner)
  }

  async claimIdempotencyKey(key: string, inProgressExpiryMs: number) {
    return this.writes.idempotency.claim(key, inProgressExpiryMs, this.nowMs)
  }

  async completeIdempotencyKey(key: string, ttlMs: number) {
    this.writes.idempotency.complete(key, ttlMs, this.nowMs)
  }

  async failIdempotencyKey(key: string, error: string, ttlMs: number) {
    this.writes.idempotency.fail(key, error, ttlMs, this.nowMs)
  }

  async listSchemas(stream: string) {
    return this.writes.schemas.list(stream)
  }

  async latestSchemaVersion(stream: string) {
    return this.#schemaVersions.get(stream)
  }

  async addSchema(...[stream, fingerprint, schema]: Parameters<WriteTx['addSchema']>) {
    this.#schemaVersions.forget(stream)
    return this.writes.schemas.add(stream, fingerprint, schema, this.nowMs)
  }

  async setCompatibility(...[stream, mode]: Parameters<WriteTx['setCompatibility']>) {
    this.writes.schemas.setCompatibility(stream, mode)
  }

  async saveAlarmState(row: Parameters<WriteTx['saveAlarmState']>[0]) {
    this.writes.alarms.save(row)
  }
}
