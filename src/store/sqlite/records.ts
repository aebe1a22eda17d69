/** SQL for streams and their change records. */
import type Database from 'better-sqlite3'
import { ConflictError, NotFoundError } from '../../errors.ts'
import { formatSequenceNumber, formatShardId } from '../../streams/positions.ts'
import type { ChangeRecord, NewChangeRecord, StreamViewType } from '../../streams/types.ts'
import type { ShardStats, StreamDeclaration, StreamRow, TrimmedRecords } from '../index.ts'
import type { JsonTexts } from './items.ts'

/**
 * A record row as the read after a position returns it: an array in column order rather than
 * an object, which saves better-sqlite3 building one object per row on the hottest read.
 */
type RecordRow = [
  sequence: number,
  eventId: string,
  eventName: ChangeRecord['eventName'],
  createdAtMs: number,
  sizeBytes: number,
  body: string,
]

interface StreamRowSql {
  name: string
  table_name: string | null
  view_type: StreamViewType
  shard_count: number
  retention_ms: number
  label: string
  enabled: number
}

/** The stored part of a record that has no column of its own. */
type RecordBody = Pick<
  NewChangeRecord,
  | 'keys'
  | 'newImage'
  | 'oldImage'
  | 'streamViewType'
  | 'userIdentity'
  | 'partitionKey'
  | 'data'
  | 'schemaVersion'
>

const optionalBodyFields = [
  'newImage',
  'oldImage',
  'userIdentity',
  'partitionKey',
  'data',
  'schemaVersion',
] as const

/**
 * The stored body's JSON text: byte for byte what `JSON.stringify` makes of keys, view type and
 * the optional fields in this order, but an image whose text is in `texts` (the item as just
 * read or written) is copied rather than serialized again.
 */
function toBodyText(record: NewChangeRecord, texts: JsonTexts | undefined): string {
  let text = `{"keys":${JSON.stringify(record.keys)}`
  text += `,"streamViewType":${JSON.stringify(record.streamViewType)}`
  for (const field of optionalBodyFields) {
    const value = record[field]
    if (value === undefined) continue
    const valueText =
      (typeof value === 'object' && value !== null && texts?.get(value)) || JSON.stringify(value)
    // JSON.stringify leaves out a property whose value it cannot hold (a function, a symbol).
    if (valueText !== undefined) text += `,"${field}":${valueText}`
  }
  return `${text}}`
}

function toChangeRecord(row: RecordRow, stream: string, shardId: string): ChangeRecord {
  const [sequence, eventId, eventName, createdAtMs, sizeBytes, body] = row
  return {
    eventId,
    eventName,
    stream,
    shard: shardId,
    sequenceNumber: formatSequenceNumber(sequence),
    createdAtMs,
    ...(JSON.parse(body) as RecordBody),
    sizeBytes,
  }
}

function toStreamRow(row: StreamRowSql): StreamRow {
  return {
    name: row.name,
    table: row.table_name,
    viewType: row.view_type,
    shardCount: row.shard_count,
    retentionMs: row.retention_ms,
    label: row.label,
    enabled: row.enabled === 1,
  }
}

/** A stream label: the time as ISO 8601, always later than the previous label. */
function nextLabel(previous: string | null, nowMs: number): string {
  const previousMs = previous ? Date.parse(`${previous}Z`) : 0
  return new Date(Math.max(nowMs, previousMs + 1)).toISOString().slice(0, -1)
}

/** Statements that change streams; run on the writer's connection. */
export function prepareRecordWrites(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO records (stream, shard, event_id, event_name, created_at_ms, size_bytes, body)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
  const selectStream = db.prepare<[string], StreamRowSql>('SELECT * FROM streams WHERE name = ?')
  const insertStream = db.prepare(
    `INSERT INTO streams
       (name, table_name, view_type, shard_count, retention_ms, created_at_ms, label, enabled)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
  )
  const updateStream = db.prepare(
    'UPDATE streams SET view_type = ?, retention_ms = ?, label = ?, enabled = ? WHERE name = ?',
  )
  const oldest = db.prepare<[string, number, number], { sequence: number; created_at_ms: number }>(
    `SELECT sequence, created_at_ms FROM records WHERE stream = ? AND shard = ?
     ORDER BY sequence LIMIT ?`,
  )
  const removeUpTo = db.prepare(
    'DELETE FROM records WHERE stream = ? AND shard = ? AND sequence <= ?',
  )
  const checkpointsWithin = db.prepare<[string, number, number, number], { checkpoint: number }>(
    `SELECT DISTINCT checkpoint FROM consumer_shards
     WHERE stream = ? AND shard = ? AND checkpoint >= ? AND checkpoint < ? ORDER BY checkpoint`,
  )
  const logTrim = db.prepare(
    `INSERT INTO stream_trims (stream, shard, through_sequence, removed, trimmed_at_ms)
     VALUES (?, ?, ?, ?, ?)`,
  )

  const getStream = (name: string): StreamRow | undefined => {
    const row = selectStream.get(name)
    return row ? toStreamRow(row) : undefined
  }

  const setState = (
    existing: StreamRow,
    state: { enabled: boolean; viewType: StreamViewType; retentionMs: number },
    nowMs: number,
  ): StreamRow => {
    const renewed =
      (state.enabled && !existing.enabled) ||
      (state.enabled && state.viewType !== existing.viewType)
    const label = renewed ? nextLabel(existing.label, nowMs) : existing.label
    updateStream.run(state.viewType, state.retentionMs, label, state.enabled ? 1 : 0, existing.name)
    return { ...existing, ...state, label }
  }

  return {
    /** Appends a record; `texts` holds the JSON text of images already serialized. */
    append(record: NewChangeRecord, texts?: JsonTexts): number {
      const text = toBodyText(record, texts)
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

    getStream,

    ensureStream(stream: StreamDeclaration, nowMs: number): StreamRow {
      const existing = getStream(stream.name)
      if (!existing) {
        const label = nextLabel(null, nowMs)
        insertStream.run(
          stream.name,
          stream.table,
          stream.viewType,
          stream.shardCount,
          stream.retentionMs,
          nowMs,
          label,
        )
        return { ...stream, label, enabled: true }
      }
      if (existing.shardCount !== stream.shardCount) {
        throw new ConflictError(
          `Stream "${stream.name}" has ${existing.shardCount} shards in the store but ` +
            `${stream.shardCount} in the config: changing the shard count of a stream is not ` +
            `supported; set shards back to ${existing.shardCount}`,
        )
      }
      return setState(existing, { ...stream, enabled: true }, nowMs)
    },

    setStreamState(
      name: string,
      state: { enabled: boolean; viewType: StreamViewType },
      nowMs: number,
    ): StreamRow {
      const existing = getStream(name)
      if (!existing) throw new NotFoundError(`Stream "${name}" does not exist in the store`)
      return setState(existing, { ...state, retentionMs: existing.retentionMs }, nowMs)
    },

    /**
     * Deletes expired records of one shard, oldest first, at most `limit`. It looks at no more
     * than `limit` records, so a shard with nothing to trim costs one short index read. The trim
     * log gets one entry per step, split at every consumer checkpoint inside the step, so that
     * the count of records a consumer missed is exact.
     */
    trimShard(
      stream: string,
      shard: number,
      olderThanMs: number,
      limit: number,
      nowMs: number,
    ): number {
      const sequences: number[] = []
      for (const row of oldest.all(stream, shard, limit)) {
        if (row.created_at_ms >= olderThanMs) break
        sequences.push(row.sequence)
      }
      const first = sequences[0]
      const through = sequences.at(-1)
      if (first === undefined || through === undefined) return 0

      const removed = removeUpTo.run(stream, shard, through).changes
      const boundaries = checkpointsWithin
        .all(stream, shard, first, through)
        .map((r) => r.checkpoint)
      let logged = 0
      for (const boundary of [...boundaries, through]) {
        const upTo = sequences.filter((sequence) => sequence <= boundary).length
        logTrim.run(stream, shard, boundary, upTo - logged, nowMs)
        logged = upTo
      }
      return removed
    },

    shardCount(stream: string): number {
      return selectStream.get(stream)?.shard_count ?? 0
    },
  }
}

/** Statements that read streams; run on the reader's connection. */
export function prepareRecordReads(db: Database.Database) {
  const after = db
    .prepare<[string, number, number, number], RecordRow>(
      `SELECT sequence, event_id, event_name, created_at_ms, size_bytes, body FROM records
       WHERE stream = ? AND shard = ? AND sequence > ? ORDER BY sequence LIMIT ?`,
    )
    .raw(true)
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
  const atOrAfter = db.prepare<[string, number, number], { sequence: number }>(
    `SELECT sequence FROM records WHERE stream = ? AND shard = ? AND created_at_ms >= ?
     ORDER BY sequence LIMIT 1`,
  )
  const trimmed = db.prepare<
    [string, number, number],
    { removed: number | null; through: number | null }
  >(
    `SELECT SUM(removed) AS removed, MAX(through_sequence) AS through FROM stream_trims
     WHERE stream = ? AND shard = ? AND through_sequence > ?`,
  )
  const allStreams = db.prepare<[], StreamRowSql>('SELECT * FROM streams ORDER BY name')

  return {
    read(stream: string, shard: number, afterSequence: number, limit: number): ChangeRecord[] {
      const shardId = formatShardId(shard)
      return after
        .all(stream, shard, afterSequence, limit)
        .map((row) => toChangeRecord(row, stream, shardId))
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
    firstSequenceAtOrAfter(stream: string, shard: number, timeMs: number): number | null {
      return atOrAfter.get(stream, shard, timeMs)?.sequence ?? null
    },
    trimmedAfter(stream: string, shard: number, afterSequence: number): TrimmedRecords {
      const row = trimmed.get(stream, shard, afterSequence)
      return { records: row?.removed ?? 0, throughSequence: row?.through ?? 0 }
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
