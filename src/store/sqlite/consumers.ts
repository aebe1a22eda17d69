/** SQL for consumers: registration, checkpoints, per-shard state and counters. */
import type Database from 'better-sqlite3'
import { ConflictError, LeaseLostError, NotFoundError } from '../../errors.ts'
import type { ConsumerShardProgress, ConsumerShardRow, LostRecords } from '../index.ts'

interface ConsumerShardSql {
  consumer: string
  stream: string
  shard: number
  checkpoint: number
  delivered: number
  failed: number
  dead_lettered: number
  iterator_age_ms: number | null
  last_batch_at_ms: number | null
  last_error: string | null
  state: string
  blocked_since_ms: number | null
  blocking_sequence: number | null
  blocking_created_at_ms: number | null
  blocking_expires_at_ms: number | null
  discarded: number
  attempt: number
  filtered_out: number
  expired: number
  enabled: number
  lease_owner: string | null
  lease_expires_at_ms: number | null
}

const selectShards = `SELECT s.*, c.enabled, l.owner AS lease_owner,
    l.expires_at_ms AS lease_expires_at_ms
  FROM consumer_shards s JOIN consumers c ON c.name = s.consumer
  LEFT JOIN consumer_leases l ON l.consumer = s.consumer AND l.shard = s.shard`

function toRow(row: ConsumerShardSql): ConsumerShardRow {
  return {
    consumer: row.consumer,
    stream: row.stream,
    shard: row.shard,
    checkpoint: row.checkpoint,
    delivered: row.delivered,
    failed: row.failed,
    deadLettered: row.dead_lettered,
    filteredOut: row.filtered_out,
    expired: row.expired,
    discarded: row.discarded,
    iteratorAgeMs: row.iterator_age_ms,
    lastBatchAtMs: row.last_batch_at_ms,
    lastError: row.last_error,
    enabled: row.enabled === 1,
    state: row.state,
    blockedSinceMs: row.blocked_since_ms,
    blockingSequence: row.blocking_sequence,
    blockingCreatedAtMs: row.blocking_created_at_ms,
    blockingExpiresAtMs: row.blocking_expires_at_ms,
    attempt: row.attempt,
    leaseOwner: row.lease_owner,
    leaseExpiresAtMs: row.lease_expires_at_ms,
  }
}

/** Statements that change consumers; run on the writer's connection. */
export function prepareConsumerWrites(db: Database.Database) {
  const selectConsumer = db.prepare<[string], { stream: string }>(
    'SELECT stream FROM consumers WHERE name = ?',
  )
  const insertConsumer = db.prepare(
    'INSERT INTO consumers (name, stream, created_at_ms) VALUES (?, ?, ?)',
  )
  const insertShard = db.prepare(
    `INSERT INTO consumer_shards (consumer, stream, shard, checkpoint) VALUES (?, ?, ?, ?)
     ON CONFLICT (consumer, shard) DO NOTHING`,
  )
  const progress = db.prepare(
    `UPDATE consumer_shards SET checkpoint = @checkpoint,
       delivered = delivered + @delivered, failed = failed + @failed,
       dead_lettered = dead_lettered + @deadLettered, filtered_out = filtered_out + @filteredOut,
       discarded = discarded + @discarded, blocking_expires_at_ms = @blockingExpiresAtMs,
       iterator_age_ms = COALESCE(@iteratorAgeMs, iterator_age_ms),
       last_batch_at_ms = @nowMs, last_error = COALESCE(@lastError, last_error),
       state = @state, blocked_since_ms = @blockedSinceMs, blocking_sequence = @blockingSequence,
       blocking_created_at_ms = @blockingCreatedAtMs, attempt = @attempt
     WHERE consumer = @consumer AND shard = @shard AND checkpoint <= @checkpoint
       AND EXISTS (SELECT 1 FROM consumer_leases l WHERE l.consumer = @consumer
         AND l.shard = @shard AND l.owner = @owner AND l.token = @token)`,
  )
  const setCheckpoint = db.prepare(
    `UPDATE consumer_shards SET checkpoint = ?, state = 'idle', blocked_since_ms = NULL,
       blocking_sequence = NULL, blocking_created_at_ms = NULL, blocking_expires_at_ms = NULL,
       attempt = 0
     WHERE consumer = ? AND shard = ?`,
  )
  const setEnabled = db.prepare('UPDATE consumers SET enabled = ? WHERE name = ?')
  const lostBefore = db.prepare<
    [{ stream: string; shard: number; olderThanMs: number; limit: number }],
    LostRecords
  >(
    `SELECT s.consumer, s.shard, COUNT(r.sequence) AS lost FROM consumer_shards s
     JOIN (SELECT sequence FROM records WHERE stream = @stream AND shard = @shard
           AND created_at_ms < @olderThanMs ORDER BY sequence LIMIT @limit) r
       ON r.sequence > s.checkpoint
     WHERE s.stream = @stream AND s.shard = @shard GROUP BY s.consumer, s.shard`,
  )
  const addLost = db.prepare(
    'UPDATE consumer_shards SET expired = expired + ? WHERE consumer = ? AND shard = ?',
  )

  return {
    /** Registers a consumer and its shards; shards it already has keep their checkpoints. */
    ensure(consumer: string, stream: string, startAfter: number[], nowMs: number): void {
      const existing = selectConsumer.get(consumer)
      if (existing && existing.stream !== stream) {
        throw new ConflictError(
          `Consumer "${consumer}" already reads stream "${existing.stream}", not "${stream}": ` +
            'give the consumer a new name to read another stream',
        )
      }
      if (!existing) insertConsumer.run(consumer, stream, nowMs)
      startAfter.forEach((sequence, shard) => insertShard.run(consumer, stream, shard, sequence))
    },

    /**
     * Moves a checkpoint forward, adds counters and sets the shard state, if the caller still
     * holds the lease under the same token. Throws `LeaseLostError` otherwise.
     */
    save(update: ConsumerShardProgress, nowMs: number): void {
      const { lease, ...rest } = update
      const result = progress.run({ ...rest, owner: lease.owner, token: lease.token, nowMs })
      if (result.changes !== 1) {
        throw new LeaseLostError(
          `Checkpoint of consumer "${update.consumer}" on shard ${update.shard} was not saved: ` +
            `lease token ${lease.token} of ${lease.owner} is no longer current (taken over, ` +
            'expired or revoked by a replay), or the checkpoint is already further on',
        )
      }
    },

    /** Sets a checkpoint, backwards or forwards (replay); the caller revokes the lease. */
    moveCheckpoint(consumer: string, shard: number, checkpoint: number): void {
      if (setCheckpoint.run(checkpoint, consumer, shard).changes !== 1) {
        throw new NotFoundError(`Consumer "${consumer}" has no shard ${shard} in the store`)
      }
    },

    setEnabled(consumer: string, enabled: boolean): void {
      if (setEnabled.run(enabled ? 1 : 0, consumer).changes !== 1) {
        throw new NotFoundError(`Consumer "${consumer}" is not registered in the store`)
      }
    },

    /** Counts, per consumer shard, the records that a trim is about to delete unread. */
    countLost(stream: string, shard: number, olderThanMs: number, limit: number): LostRecords[] {
      const lost = lostBefore
        .all({ stream, shard, olderThanMs, limit })
        .filter((row) => row.lost > 0)
      for (const row of lost) addLost.run(row.lost, row.consumer, row.shard)
      return lost
    },
  }
}

/** Statements that read consumers; run on the reader's connection. */
export function prepareConsumerReads(db: Database.Database) {
  const all = db.prepare<[], ConsumerShardSql>(`${selectShards} ORDER BY s.consumer, s.shard`)
  const one = db.prepare<[string, number], ConsumerShardSql>(
    `${selectShards} WHERE s.consumer = ? AND s.shard = ?`,
  )
  const before = db.prepare<[string, number, number], { sequence: number | null }>(
    `SELECT MAX(sequence) AS sequence FROM records
     WHERE stream = ? AND shard = ? AND created_at_ms < ?`,
  )

  return {
    list(): ConsumerShardRow[] {
      return all.all().map(toRow)
    },
    get(consumer: string, shard: number): ConsumerShardRow | undefined {
      const row = one.get(consumer, shard)
      return row ? toRow(row) : undefined
    },
    /** The last sequence number of a shard created before a time; 0 when there is none. */
    sequenceBefore(stream: string, shard: number, timeMs: number): number {
      return before.get(stream, shard, timeMs)?.sequence ?? 0
    },
  }
}
