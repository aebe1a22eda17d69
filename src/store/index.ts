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
import type { CompatibilityMode, JsonSchema, StoredSchema } from '../schemas/types.ts'
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

/** The key attributes of a table, as the table registry keeps them. */
export interface TableKeys {
  partitionKey: { name: string; type: string }
  sortKey: { name: string; type: string } | null
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
  /** Records a filter left out; they count as done. */
  filteredOut: number
  /** Records that left the stream by retention before this consumer finished them (lost). */
  expired: number
  /** Records dropped at the retry or age limit with no dead-letter queue to keep them. */
  discarded: number
  /** False after `eddy consumers disable`; the checkpoint stays where it was. */
  enabled: boolean
  /** The worker state last saved: `idle`, `running`, `retrying` (blocked) and so on. */
  state: string
  /** When the shard became blocked on a failing record; null when it is not blocked. */
  blockedSinceMs: number | null
  blockingSequence: number | null
  blockingCreatedAtMs: number | null
  /** When the blocking record is dropped: by its age limit or by retention, whichever is first. */
  blockingExpiresAtMs: number | null
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
  discarded: number
  /** The state to show, and the blocking record when the shard is blocked on one. */
  state: string
  blockedSinceMs: number | null
  blockingSequence: number | null
  blockingCreatedAtMs: number | null
  blockingExpiresAtMs: number | null
  attempt: number
  /** The lease under which the worker runs; the save is refused when it is no longer current. */
  lease: LeaseGrant
}

/** A queue as the store keeps it: the attributes its SQL needs, with every default resolved. */
export interface QueueRow {
  name: string
  fifo: boolean
  contentBasedDeduplication: boolean
  visibilityTimeoutMs: number
  /** Delay of every message sent without a delay of its own. */
  delayMs: number
  /** Messages older than this (since they were first sent) are deleted. */
  retentionMs: number
  maxBodyBytes: number
  /** Where a message goes on its next receive once it was received `maxReceiveCount` times. */
  redrive: { deadLetterQueue: string; maxReceiveCount: number } | null
}

/** A message to send, already validated against its queue. */
export interface NewMessage {
  body: string
  delayMs: number
  /** Message attributes as JSON text, or null. */
  attributes: string | null
  /** FIFO queues: the message group; null on standard queues. */
  groupId: string | null
  /** FIFO queues: the deduplication id (given, or the body's hash); null on standard queues. */
  deduplicationId: string | null
}

/** What sending one message did. */
export interface SentMessage {
  messageId: string
  md5OfBody: string
  /** True when a FIFO queue dropped it as a duplicate; `messageId` is then the first one's. */
  duplicate: boolean
  /** FIFO queues: the message's position in its queue; null on standard queues. */
  sequenceNumber: string | null
}

/** A queue message as a reader sees it, without receiving it. */
export interface PeekedMessage {
  /** Position in the store; order of sending. Pass the last one back to read further. */
  sequence: number
  messageId: string
  body: string
  md5OfBody: string
  attributes: string | null
  groupId: string | null
  receiveCount: number
  sentAtMs: number
  /** When it was first received, or null before its first receive. */
  firstReceivedAtMs: number | null
  visibleAtMs: number
  /** The queue a redrive policy moved it from, or null. */
  sourceQueue: string | null
}

/** A queue message as a receiver gets it. */
export interface StoredMessage extends PeekedMessage {
  receiptHandle: string
  firstReceivedAtMs: number
}

/** What to receive: up to `max` visible messages, optionally only among `messageIds`. */
export interface ReceiveRequest {
  max: number
  visibilityTimeoutMs: number
  /** Receive only these messages (those of them that are visible now). */
  messageIds?: string[]
}

/**
 * What a receipt handle turned out to be: `ok` (the operation happened), `gone` (the message is
 * no longer in the queue), `stale` (the message was received again since, with a new handle),
 * `invalid` (not a receipt handle) or `other-queue` (a handle of another queue).
 */
export type HandleOutcome = 'ok' | 'gone' | 'stale' | 'invalid' | 'other-queue'

/** What a move did with one message. */
export interface MovedMessage {
  sequence: number
  messageId: string
  /** The destination, or null when there is none (no `to`, and not redriven from a queue). */
  to: string | null
  /** The new message id in the destination; null when the message was left. */
  newMessageId: string | null
  /** Why it was left, when it was. */
  problem: string | null
}

/** How many messages a queue holds, not counting those past the retention period. */
export interface QueueDepth {
  /** Messages a receive could return now. */
  visible: number
  /** Messages received and not yet deleted, hidden until their visibility timeout ends. */
  inFlight: number
  /** Messages sent with a delay that has not ended yet. */
  delayed: number
  /** When the oldest message was sent, or null for an empty queue. */
  oldestSentAtMs: number | null
}

/** Statistics of one shard. */
export interface ShardStats {
  shard: number
  records: number
  lastSequence: number
  oldestCreatedAtMs: number | null
}

/** An alarm's last evaluation, as the store keeps it. */
export interface AlarmStateRow {
  name: string
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'
  reason: string
  /** The latest datapoint; null when it was missing. */
  value: number | null
  evaluatedAtMs: number
  /** When the state last changed; set by the store. */
  changedAtMs?: number
}

/** The operations available inside one write transaction. */
export interface WriteTx {
  /** Records a table's key attributes, or refuses keys that differ from the stored ones. */
  ensureTable(name: string, keys: TableKeys): Promise<void>
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
  /** Creates a queue or updates its attributes. */
  ensureQueue(queue: QueueRow): Promise<void>
  /** Sends one message with the queue's defaults; returns its message id. */
  sendMessage(queue: string, body: string): Promise<string>
  /** Sends messages; one result per message, in order. */
  sendMessages(queue: string, messages: NewMessage[]): Promise<SentMessage[]>
  /**
   * Receives visible messages and hides them for the visibility timeout. First deletes messages
   * past retention, and moves to the dead-letter queue those its redrive policy says are done.
   */
  receiveMessages(queue: string, request: ReceiveRequest): Promise<StoredMessage[]>
  /** Deletes a received message by its current receipt handle. */
  deleteMessage(queue: string, receiptHandle: string): Promise<HandleOutcome>
  /** Hides a received message for `visibilityTimeoutMs` from now (0: visible at once). */
  changeVisibility(
    queue: string,
    receiptHandle: string,
    visibilityTimeoutMs: number,
  ): Promise<HandleOutcome>
  /** Deletes every message of a queue; returns how many. */
  purgeQueue(queue: string): Promise<number>
  /**
   * Moves up to `max` visible messages after `afterSequence` to `to`, or when `to` is null to the
   * queue each came from; each arrives as a new message. Messages without a destination are left.
   */
  moveMessages(
    from: string,
    to: string | null,
    afterSequence: number,
    max: number,
  ): Promise<MovedMessage[]>
  /** Deletes up to `limit` records older than the stream's retention; returns how many. */
  trimStream(stream: string, olderThanMs: number, limit: number): Promise<number>
  /** The stream's schema versions, oldest first, as this transaction sees them. */
  listSchemas(stream: string): Promise<StoredSchema[]>
  /** The stream's latest schema version, or null when it has none. */
  latestSchemaVersion(stream: string): Promise<number | null>
  /** Appends a schema version (checks are the caller's); returns its number. */
  addSchema(stream: string, fingerprint: string, schema: JsonSchema): Promise<number>
  setCompatibility(stream: string, mode: CompatibilityMode): Promise<void>
  /** Saves an alarm's evaluation; `changedAtMs` moves only when the state changes. */
  saveAlarmState(row: AlarmStateRow): Promise<void>
}

/** How the store may run one write. */
export interface WriteOptions {
  /**
   * The work reads and writes only through `tx`, and nothing it does outlives a run that does
   * not commit, so the store may run it again in a new transaction. The writer then saves the
   * savepoint it would give the work, and reruns the turn when one of its writes fails.
   * Default false.
   */
  rerunnable?: boolean
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
  write<T>(work: (tx: WriteTx) => Promise<T>, options?: WriteOptions): Promise<T>

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
  getConsumerShard(consumer: string, shard: number): Promise<ConsumerShardRow | undefined>
  /** The last sequence number of a shard created before `timeMs`; 0 when there is none. */
  sequenceBefore(stream: string, shard: number, timeMs: number): Promise<number>
  listQueues(): Promise<string[]>
  getQueue(name: string): Promise<QueueRow | undefined>
  queueDepth(queue: string): Promise<QueueDepth>
  /** The stream's schema versions, oldest first. */
  listSchemas(stream: string): Promise<StoredSchema[]>
  /** The stream's stored compatibility mode, or null when none was set. */
  getCompatibility(stream: string): Promise<CompatibilityMode | null>
  /** Messages in sending order after `afterSequence`, without receiving them. */
  peekMessages(queue: string, afterSequence: number, limit: number): Promise<PeekedMessage[]>
  /**
   * The earliest time any message of the queue is visible: now or earlier when one is visible
   * now, later when all are hidden (delayed or in flight); null for an empty queue. A cheap read
   * that long polling makes before it writes a receive.
   */
  earliestVisibleAtMs(queue: string): Promise<number | null>
  /** Every alarm's last evaluation, by name. */
  listAlarmStates(): Promise<AlarmStateRow[]>

  /**
   * Calls `listener` after a commit that appended to `stream`, in this process at once and from
   * other processes within the poll interval. Returns a function that removes the listener.
   */
  onAppend(listener: (stream: string | null) => void): () => void

  /**
   * Calls `listener` after a commit that sent messages to `queue`, by the same mechanism as
   * `onAppend` (at once in this process; `null` within the poll interval for other processes).
   */
  onQueueSend(listener: (queue: string | null) => void): () => void

  close(): Promise<void>
}

/** Opens the embedded SQLite store, creating and migrating the database file when needed. */
export async function openStore(options: StoreOptions): Promise<Store> {
  return openSqliteStore(options)
}
