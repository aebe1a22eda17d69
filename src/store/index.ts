/**
 * The storage contract. Everything above the store (tables, streams, consumers, queues) talks to
 * this interface only; an engine is a folder beside this file. The interface is asynchronous so
 * that a networked engine can implement it; the embedded SQLite engine answers from one process.
 *
 * Writes go through `write`: one writer runs the work of every caller inside one transaction, and
 * calls that arrive in the same event-loop turn share it (group commit). A failing call rolls back
 * only its own part. Reads run on a separate connection and see committed data.
 *
 * Deliberately left out: cross-engine migrations, and multi-process leases (a consumer shard is
 * run by whichever process runs it; see the README's limitations).
 */
import type { ChangeRecord, Item, NewChangeRecord, StreamViewType } from '../streams/types.ts'
import { openSqliteStore } from './sqlite/index.ts'

/** Where an item lives: its table and its key in storage form. */
export interface ItemAddress {
  table: string
  /** The partition key value, JSON-encoded so that `1` and `"1"` differ. */
  partitionKey: string
  /** The sort key value (bytes for binary keys), or the empty string without a sort key. */
  sortKey: string | number | Buffer
}

/** An item with its address, as queries, scans and expiry return it. */
export interface StoredItem {
  address: ItemAddress
  item: Item
}

/** One end of a sort key range. */
export interface SortKeyBound {
  value: string | number | Buffer
  inclusive: boolean
}

/** Items of one partition, in sort key order, within optional bounds. */
export interface ItemQuery {
  table: string
  partitionKey: string
  lower?: SortKeyBound
  upper?: SortKeyBound
  /** Ascending sort key order when true. */
  forward: boolean
  /** Continue after this sort key (in the query's direction). */
  after?: string | number | Buffer
  limit: number
}

/** Items of a table in storage order (partition key, then sort key). */
export interface ItemScan {
  table: string
  /** Continue after this address. */
  after?: ItemAddress
  limit: number
}

/** What a stream is declared as: by a table's stream options or a standalone stream. */
export interface StreamDeclaration {
  name: string
  /** The table whose changes it carries, or null for a standalone stream. */
  table: string | null
  viewType: StreamViewType
  shardCount: number
  retentionMs: number
}

/** A stream as the store keeps it. */
export interface StreamRow extends StreamDeclaration {
  /**
   * Changes whenever the stream is enabled again or its view type changes, as a DynamoDB stream
   * label does: an ISO 8601 time.
   */
  label: string
  /** A disabled table stream receives no change records; its records stay readable. */
  enabled: boolean
}

/** Records removed from a shard by retention after a position. */
export interface TrimmedRecords {
  /** How many records were trimmed after the position. */
  records: number
  /** The last trimmed sequence number of the shard, 0 when none was trimmed. */
  throughSequence: number
}

/** Progress and counters of one consumer on one shard. */
export interface ConsumerShardRow {
  consumer: string
  stream: string
  shard: number
  /** Last finished sequence number; 0 before the first record. */
  checkpoint: number
  delivered: number
  failed: number
  deadLettered: number
  /** Now minus the creation time of the last record of the last batch, when it was read. */
  iteratorAgeMs: number | null
  lastBatchAtMs: number | null
  lastError: string | null
}

/** Counters a finished batch adds to its consumer shard. */
export interface ConsumerShardProgress {
  consumer: string
  stream: string
  shard: number
  checkpoint: number
  delivered: number
  failed: number
  deadLettered: number
  iteratorAgeMs: number
  lastError: string | null
}

/** A queue message as a receiver gets it. */
export interface StoredMessage {
  messageId: string
  body: string
  receiptHandle: string
  receiveCount: number
  sentAtMs: number
  firstReceivedAtMs: number
}

/** How many messages a queue holds. */
export interface QueueDepth {
  /** Messages a receive could return now. */
  visible: number
  /** Messages received and not yet deleted, hidden until their visibility timeout ends. */
  inFlight: number
}

/** Statistics of one shard. */
export interface ShardStats {
  shard: number
  records: number
  lastSequence: number
  oldestCreatedAtMs: number | null
}

/** The operations available inside one write transaction. */
export interface WriteTx {
  /** The transaction's clock, in milliseconds since the epoch. */
  readonly nowMs: number
  getItem(address: ItemAddress): Promise<Item | undefined>
  /** Creates or replaces an item; `expiresAtSeconds` is its time to live, if any. */
  putItem(address: ItemAddress, item: Item, expiresAtSeconds?: number | null): Promise<void>
  deleteItem(address: ItemAddress): Promise<void>
  /** Items of `table` whose time to live is at or before `nowSeconds`, at most `limit`. */
  expiredItems(table: string, nowSeconds: number, limit: number): Promise<StoredItem[]>
  /** Appends a change record; returns its sequence number. */
  appendRecord(record: NewChangeRecord): Promise<number>
  /**
   * Creates the stream enabled, or checks that its shard count has not changed and enables it
   * with the declared view type and retention (a new label when it was disabled or its view
   * type changes).
   */
  ensureStream(stream: StreamDeclaration): Promise<StreamRow>
  /** The stream as this transaction sees it. */
  getStream(name: string): Promise<StreamRow | undefined>
  /** Enables or disables a stream, or changes its view type; a new label when either happens. */
  setStreamState(
    name: string,
    state: { enabled: boolean; viewType: StreamViewType },
  ): Promise<StreamRow>
  /** Registers a consumer; a new consumer starts after `startAfter` in every shard. */
  ensureConsumer(consumer: string, stream: string, startAfter: number[]): Promise<void>
  saveProgress(progress: ConsumerShardProgress): Promise<void>
  ensureQueue(queue: string, visibilityTimeoutMs: number): Promise<void>
  sendMessage(queue: string, body: string): Promise<string>
  receiveMessages(queue: string, max: number, visibilityTimeoutMs: number): Promise<StoredMessage[]>
  /** Deletes a received message; false when the receipt handle is unknown or stale. */
  deleteMessage(queue: string, receiptHandle: string): Promise<boolean>
  /** Deletes up to `limit` records older than the stream's retention; returns how many. */
  trimStream(stream: string, olderThanMs: number, limit: number): Promise<number>
}

/** Options every engine understands. */
export interface StoreOptions {
  /** SQLite: path of the database file. Its folder is created when missing. */
  path: string
  /**
   * `full` (default): an acknowledged write survives power loss. `normal`: it survives a crash
   * of the process but the last transactions may be lost on power loss; faster.
   */
  durability?: 'full' | 'normal'
  /** How often to look for writes by other processes, in milliseconds. Default 100. */
  pollIntervalMs?: number
}

/** The store every capability talks to. */
export interface Store {
  readonly engine: 'sqlite'
  /** Where the data lives, for messages and status. */
  readonly location: string

  /** Runs `work` in the writer's transaction. `work` must await nothing but `tx` calls. */
  write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T>

  getItem(address: ItemAddress): Promise<Item | undefined>
  /** Items of one partition in sort key order. */
  queryItems(query: ItemQuery): Promise<StoredItem[]>
  /** Items of a table in storage order. */
  scanItems(scan: ItemScan): Promise<StoredItem[]>
  getStream(name: string): Promise<StreamRow | undefined>
  listStreams(): Promise<StreamRow[]>
  /** Records of a shard after a sequence number, oldest first. */
  readRecords(
    stream: string,
    shard: number,
    afterSequence: number,
    limit: number,
  ): Promise<ChangeRecord[]>
  /** The last sequence number of each shard, 0 for an empty shard. */
  lastSequences(stream: string, shardCount: number): Promise<number[]>
  shardStats(stream: string, shardCount: number): Promise<ShardStats[]>
  countRecordsAfter(stream: string, shard: number, afterSequence: number): Promise<number>
  /** The sequence number of the first record created at or after `timeMs`, or null. */
  firstSequenceAtOrAfter(stream: string, shard: number, timeMs: number): Promise<number | null>
  /**
   * Records retention removed from a shard after a position. Exact when the position is before
   * every trimmed record, a consumer's checkpoint at the time of trimming, or the end of a trim
   * step; otherwise it also counts the records of that one step (at most 1,000) at or before
   * the position.
   */
  trimmedAfter(stream: string, shard: number, afterSequence: number): Promise<TrimmedRecords>
  listConsumerShards(): Promise<ConsumerShardRow[]>
  listQueues(): Promise<string[]>
  queueDepth(queue: string): Promise<QueueDepth>

  /**
   * Calls `listener` after a commit that appended to `stream`, in this process at once and from
   * other processes within the poll interval. Returns a function that removes the listener.
   */
  onAppend(listener: (stream: string | null) => void): () => void

  close(): Promise<void>
}

/** Opens the embedded SQLite store, creating and migrating the database file when needed. */
export async function openStore(options: StoreOptions): Promise<Store> {
  return openSqliteStore(options)
}
