/** SQL for streams and their change records. */
import type Database from 'better-sqlite3'
import { ConflictError } from '../../errors.ts'
import { formatSequenceNumber, formatShardId } from '../../streams/positions.ts'
import type { ChangeRecord, NewChangeRecord, StreamViewType } from '../../streams/types.ts'
import type { ShardStats, StreamRow } from '../index.ts'

interface RecordRow {
  sequence: number
  stream: string
  shard: number
  event_id: string
  event_name: ChangeRecord['eventName']
  created_at_ms: number
  size_bytes: number
  body: string
}

interface StreamRowSql {
  name: string
  table_name: string | null
  view_type: StreamViewType
  shard_count: number
  retention_ms: number
}

/** The stored part of a record that has no column of its own. */
interface RecordBody {
  keys: ChangeRecord['keys']
  newImage?: ChangeRecord['newImage']
  oldImage?: ChangeRecord['oldImage']
  streamViewType: StreamViewType
  schemaVersion?: number
}

function toChangeRecord(row: RecordRow): ChangeRecord {
  const body = JSON.parse(row.body) as RecordBody
  return {
    eventId: row.event_id,
    eventName: row.event_name,
    stream: row.stream,
    shard: formatShardId(row.shard),
    sequenceNumber: formatSequenceNumber(row.sequence),
    createdAtMs: row.created_at_ms,
    ...body,
    sizeBytes: row.size_bytes,
  }
}

function toStreamRow(row: StreamRowSql): StreamRow {
  return {
    name: row.name,
    table: row.table_name,
    viewType: row.view_type,
    shardCount: row.shard_count,
    retentionMs: row.retention_ms,
  }
}

/** Statements that change streams; run on the writer's connection. */
export function prepareRecordWrites(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO records (stream, shard, event_id, event_name, created_at_ms, size_bytes, body)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
  const selectStream = db.prepare<[string], StreamRowSql>('SELECT * FROM streams WHERE name = ?')
  const insertStream = db.prepare(
    `INSERT INTO streams (name, table_name, view_type, shard_count, retention_ms, created_at_ms)
     VALUES (?, ?, ?, ?, ?, ?)`,
  )
  const updateStream = db.prepare(
    'UPDATE streams SET view_type = ?, retention_ms = ? WHERE name = ?',
  )
  const oldest = db.prepare<[string, number, number, number], { sequence: number }>(
    `SELECT sequence FROM records WHERE stream = ? AND shard = ? AND created_at_ms < ?
     ORDER BY sequence LIMIT ?`,
  )
  const removeUpTo = db.prepare(
    'DELETE FROM records WHERE stream = ? AND shard = ? AND sequence <= ?',
  )

  return {
    append(record: NewChangeRecord): number {
      const body: RecordBody = { keys: record.keys, streamViewType: record.streamViewType }
      if (record.newImage) body.newImage = record.newImage
      if (record.oldImage) body.oldImage = record.oldImage
      if (record.schemaVersion !== undefined) body.schemaVersion = record.schemaVersion
      const text = JSON.stringify(body)
      const result = insert.run(
        record.stream,
        record.shard,
        record.eventId,
        record.eventName,
        record.createdAtMs,
        Buffer.byteLength(text),
        text,
      )
      return Number(result.lastInsertRowid)
    },

    ensureStream(stream: StreamRow, nowMs: number): void {
      const existing = selectStream.get(stream.name)
      if (!existing) {
        insertStream.run(
          stream.name,
          stream.table,
          stream.viewType,
          stream.shardCount,
          stream.retentionMs,
          nowMs,
        )
        return
      }
      if (existing.shard_count !== stream.shardCount) {
        throw new ConflictError(
          `Stream "${stream.name}" has ${existing.shard_count} shards in the store but ` +
            `${stream.shardCount} in the config: changing the shard count of a stream is not ` +
            `supported; set shards back to ${existing.shard_count}`,
        )
      }
      updateStream.run(stream.viewType, stream.retentionMs, stream.name)
    },

    /** Deletes expired records of one shard, oldest first, at most `limit`. */
    trimShard(stream: string, shard: number, olderThanMs: number, limit: number): number {
      const expired = oldest.all(stream, shard, olderThanMs, limit)
      const last = expired.at(-1)
      if (!last) return 0
      return removeUpTo.run(stream, shard, last.sequence).changes
    },

    shardCount(stream: string): number {
      return selectStream.get(stream)?.shard_count ?? 0
    },
  }
}

/** Statements that read streams; run on the reader's connection. */
export function prepareRecordReads(db: Database.Database) {
  const after = db.prepare<[string, number, number, number], RecordRow>(
    `SELECT * FROM records WHERE stream = ? AND shard = ? AND sequence > ?
     ORDER BY sequence LIMIT ?`,
  )
  const last = db.prepare<[string, number], { sequence: number | null }>(
    'SELECT MAX(sequence) AS sequence FROM records WHERE stream = ? AND shard = ?',
  )
  const stats = db.prepare<[string, number], { records: number; last: number | null }>(
    'SELECT COUNT(*) AS records, MAX(sequence) AS last FROM records WHERE stream = ? AND shard = ?',
  )
  const first = db.prepare<[string, number], { created_at_ms: number }>(
    'SELECT created_at_ms FROM records WHERE stream = ? AND shard = ? ORDER BY sequence LIMIT 1',
  )
  const countAfter = db.prepare<[string, number, number], { n: number }>(
    'SELECT COUNT(*) AS n FROM records WHERE stream = ? AND shard = ? AND sequence > ?',
  )
  const oneStream = db.prepare<[string], StreamRowSql>('SELECT * FROM streams WHERE name = ?')
  const allStreams = db.prepare<[], StreamRowSql>('SELECT * FROM streams ORDER BY name')

  return {
    read(stream: string, shard: number, afterSequence: number, limit: number): ChangeRecord[] {
      return after.all(stream, shard, afterSequence, limit).map(toChangeRecord)
    },
    lastSequence(stream: string, shard: number): number {
      return last.get(stream, shard)?.sequence ?? 0
    },
    shardStats(stream: string, shard: number): ShardStats {
      const row = stats.get(stream, shard)
      return {
        shard,
        records: row?.records ?? 0,
        lastSequence: row?.last ?? 0,
        oldestCreatedAtMs: first.get(stream, shard)?.created_at_ms ?? null,
      }
    },
    countAfter(stream: string, shard: number, afterSequence: number): number {
      return countAfter.get(stream, shard, afterSequence)?.n ?? 0
    },
    getStream(name: string): StreamRow | undefined {
      const row = oneStream.get(name)
      return row ? toStreamRow(row) : undefined
    },
    listStreams(): StreamRow[] {
      return allStreams.all().map(toStreamRow)
    },
  }
}
