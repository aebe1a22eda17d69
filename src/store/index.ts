/**
 * The storage contract. Everything above the store (tables, streams, consumers, queues) talks to
 * this interface only; an engine is a folder beside this file. The interface is asynchronous so
 * that a networked engine can implement it; the embedded SQLite engine answers from one process.
 *
 * Writes go through `write`: one writer runs the work of every caller inside one transaction, and
 * calls that arrive in the same event-loop turn share it (group commit). A failing call rolls back
 * only its own part. Reads run on a separate connection and see committed data.
 *
 * Consumer shards are leased: a process runs a (consumer, shard) only while it holds its lease,
 * and a checkpoint write carries the lease's token, so that a process that lost its lease cannot
 * move the checkpoint (fencing).
 *
 * Deliberately left out: cross-engine migrations.
 */
import type { ChangeRecord, Item, NewChangeRecord, StreamViewType } from '../streams/types.ts'
import { openSqliteStore } from './sqlite/index.ts'

/** Where an item lives: its table and its key in storage form. */
export interface ItemAddress {
  table: string
  /** The partition key value, JSON-encoded so that `1` and `"1"` differ. */
  partitionKey: string
  /** The sort key value, or the empty string for tables without a sort key. */
  sortKey: string | number
}

/** A stream as the store keeps it. */
export interface StreamRow {
  name: string
  /** The table whose changes it carries, or null for a standalone stream. */
  table: string | null
  viewType: StreamViewType
  shardCount: number
  retentionMs: number
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
  /** Records a filter left out; they count as done. */
  filteredOut: number
  /** Records that left the stream by retention before this consumer finished them (lost). */
  expired: number
  /** False after `eddy consumers disable`; the checkpoint stays where it was. */
  enabled: boolean
  /** The worker state last saved: `idle`, `running`, `retrying` (blocked) and so on. */
  state: string
  /** When the shard became blocked on a failing record; null when it is not blocked. */
  blockedSinceMs: number | null
  blockingSequence: number | null
  blockingCreatedAtMs: number | null
  /** Attempt number of the blocking record; 0 when not blocked. */
  attempt: number
  /** The process holding the lease, and until when; null when no process holds it. */
  leaseOwner: string | null
  leaseExpiresAtMs: number | null
}

/** A held lease: the right of `owner` to run one consumer on one shard, under `token`. */
export interface LeaseGrant {
  consumer: string
  shard: number
  /** A random id of the holding process. */
  owner: string
  /** Grows at every acquisition; checkpoint writes with an older token are refused. */
  token: number
}

/** Records a retention trim deletes before a consumer finished them. */
export interface LostRecords {
  consumer: string
  shard: number
  lost: number
}

/** What a claim of an idempotency key found: `claimed` means the caller may run. */
export type IdempotencyClaim = 'claimed' | 'in-progress' | 'completed'

/** Counters a finished batch adds to its consumer shard. */
export interface ConsumerShardProgress {
  consumer: string
  stream: string
  shard: number
  checkpoint: number
  delivered: number
  failed: number
  deadLettered: number
  /** Null keeps the last saved iterator age (a save that read no new batch). */
  iteratorAgeMs: number | null
  lastError: string | null
  filteredOut: number
  /** The state to show, and the blocking record when the shard is blocked on one. */
  state: string
  blockedSinceMs: number | null
  blockingSequence: number | null
  blockingCreatedAtMs: number | null
  attempt: number
  /** The lease under which the worker runs; the save is refused when it is no longer current. */
  lease: LeaseGrant
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
  putItem(address: ItemAddress, item: Item): Promise<void>
  deleteItem(address: ItemAddress): Promise<void>
  /** Appends a change record; returns its sequence number. */
  appendRecord(record: NewChangeRecord): Promise<number>
  /** Creates the stream, or checks that its shard count has not changed. */
  ensureStream(stream: StreamRow): Promise<void>
  /** Registers a consumer; a new consumer starts after `startAfter` in every shard. */
  ensureConsumer(consumer: string, stream: string, startAfter: number[]): Promise<void>
  /** Saves a checkpoint, counters and state; throws `LeaseLostError` when fenced off. */
  saveProgress(progress: ConsumerShardProgress): Promise<void>
  /** Sets a consumer shard's checkpoint, backwards or forwards, and revokes its lease. */
  moveCheckpoint(consumer: string, shard: number, checkpoint: number): Promise<void>
  /** Disables or enables a consumer in every process that shares the store. */
  setConsumerEnabled(consumer: string, enabled: boolean): Promise<void>
  /** Takes a free or expired lease for `expiryMs`; null when another process holds it. */
  acquireLease(lease: Omit<LeaseGrant, 'token'>, expiryMs: number): Promise<LeaseGrant | null>
  /** Extends a held lease; false when it was taken over or revoked. */
  renewLease(lease: LeaseGrant, expiryMs: number): Promise<boolean>
  releaseLease(lease: LeaseGrant): Promise<void>
  /** Marks a process alive; returns how many processes were seen within `expiryMs`. */
  heartbeatProcess(owner: string, expiryMs: number): Promise<number>
  forgetProcess(owner: string): Promise<void>
  /** Claims an idempotency key for one run; see `IdempotencyClaim`. */
  claimIdempotencyKey(key: string, inProgressExpiryMs: number): Promise<IdempotencyClaim>
  completeIdempotencyKey(key: string, ttlMs: number): Promise<void>
  failIdempotencyKey(key: string, error: string, ttlMs: number): Promise<void>
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
  getStream(name: string): Promise<StreamRow | undefined>
  listStreams(): Promise<StreamRow[]>
  /** Records of a shard after a sequence number, oldest first. */
  readRecords(stream: string, shard: number, afterSequence: number, limit: number): Promise<ChangeRecord[]>
  /** The last sequence number of each shard, 0 for an empty shard. */
  lastSequences(stream: string, shardCount: number): Promise<number[]>
  shardStats(stream: string, shardCount: number): Promise<ShardStats[]>
  countRecordsAfter(stream: string, shard: number, afterSequence: number): Promise<number>
  listConsumerShards(): Promise<ConsumerShardRow[]>
  getConsumerShard(consumer: string, shard: number): Promise<ConsumerShardRow | undefined>
  /** The last sequence number of a shard created before `timeMs`; 0 when there is none. */
  sequenceBefore(stream: string, shard: number, timeMs: number): Promise<number>
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
