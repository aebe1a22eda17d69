/** SQL for consumers: registration, checkpoints and counters per shard. */
import type Database from 'better-sqlite3'
import { ConflictError } from '../../errors.ts'
import type { ConsumerShardProgress, ConsumerShardRow } from '../index.ts'

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
       dead_lettered = dead_lettered + @deadLettered, iterator_age_ms = @iteratorAgeMs,
       last_batch_at_ms = @nowMs, last_error = COALESCE(@lastError, last_error)
     WHERE consumer = @consumer AND shard = @shard AND checkpoint <= @checkpoint`,
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

    /** Moves a checkpoint forward and adds counters; a checkpoint never moves back here. */
    save(update: ConsumerShardProgress, nowMs: number): void {
      const result = progress.run({ ...update, nowMs })
      if (result.changes !== 1) {
        throw new ConflictError(
          `Checkpoint of consumer "${update.consumer}" on shard ${update.shard} was not saved: ` +
            'the consumer shard is unknown or its checkpoint is already further on',
        )
      }
    },
  }
}

/** Statements that read consumers; run on the reader's connection. */
export function prepareConsumerReads(db: Database.Database) {
  const all = db.prepare<[], ConsumerShardSql>(
    'SELECT * FROM consumer_shards ORDER BY consumer, shard',
  )

  return {
    list(): ConsumerShardRow[] {
      return all.all().map((row) => ({
        consumer: row.consumer,
        stream: row.stream,
        shard: row.shard,
        checkpoint: row.checkpoint,
        delivered: row.delivered,
        failed: row.failed,
        deadLettered: row.dead_lettered,
        iteratorAgeMs: row.iterator_age_ms,
        lastBatchAtMs: row.last_batch_at_ms,
        lastError: row.last_error,
      }))
    },
  }
}
