/**
 * `eddy streams list`: every stream with its shards, records and oldest record.
 * `eddy streams describe STREAM`: its settings and each shard's last sequence number.
 * `eddy streams read STREAM`: records from a position, for debugging; nothing is consumed.
 */
import { ValidationError } from '../../errors.ts'
import type { IteratorPosition } from '../../streams/reader.ts'
import type { ChangeRecord } from '../../streams/types.ts'
import { formatDuration, printJson, printTable, withEddy, type CommonOptions } from '../context.ts'

export interface StreamsReadOptions extends CommonOptions {
  shard?: string
  from?: string
  limit?: number
}

const hour = 3_600_000

export async function streamsListCommand(options: CommonOptions): Promise<void> {
  return withEddy(options, async (eddy) => {
    const rows = new Map((await eddy.store.listStreams()).map((row) => [row.name, row]))
    const streams = (await eddy.status()).streams.map((s) => {
      const row = rows.get(s.stream)
      return {
        ...s,
        viewType: row?.viewType ?? null,
        retentionHours: (row?.retentionMs ?? 0) / hour,
        enabled: row?.enabled ?? false,
      }
    })
    if (options.json) return printJson({ streams })

    printTable(
      [
        'stream',
        'table',
        'view type',
        'shards',
        'records',
        'oldest record',
        'retention',
        'enabled',
      ],
      streams.map((s) => [
        s.stream,
        s.table ?? '(standalone)',
        s.viewType,
        s.shards,
        s.records,
        formatDuration(s.oldestRecordAgeMs),
        `${s.retentionHours}h`,
        s.enabled ? 'yes' : 'no',
      ]),
    )
  })
}

export async function streamsDescribeCommand(
  stream: string,
  options: CommonOptions,
): Promise<void> {
  return withEddy(options, async (eddy) => {
    const description = await eddy.stream(stream).describe()
    const stats = await eddy.store.shardStats(stream, description.shardCount)
    const shards = description.shards.map((shard, index) => ({
      ...shard,
      records: stats[index]?.records ?? 0,
      oldestRecordAt: toIso(stats[index]?.oldestCreatedAtMs ?? null),
    }))
    if (options.json) return printJson({ ...description, shards })

    printTable(
      ['stream', 'table', 'view type', 'retention', 'label', 'enabled'],
      [
        [
          description.name,
          description.table ?? '(standalone)',
          description.viewType,
          `${description.retentionMs / hour}h`,
          description.label,
          description.enabled ? 'yes' : 'no',
        ],
      ],
    )
    printTable(
      ['shard', 'records', 'last sequence number', 'oldest record at'],
      shards.map((s) => [s.shardId, s.records, s.lastSequenceNumber, s.oldestRecordAt]),
    )
  })
}

/** `trim-horizon` (default), `latest`, a sequence number (at it), or a time (ISO, ms:<epoch>). */
export function parseReadPosition(text: string | undefined): IteratorPosition {
  if (text === undefined || text === 'trim-horizon') return { type: 'TRIM_HORIZON' }
  if (text === 'latest') return { type: 'LATEST' }
  if (/^\d{1,20}$/.test(text)) {
    return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: text.padStart(20, '0') }
  }
  const timeMs = text.startsWith('ms:') ? Number(text.slice(3)) : Date.parse(text)
  if (!Number.isFinite(timeMs)) {
    throw new ValidationError(
      `--from ${JSON.stringify(text)} is not a position: give trim-horizon, latest, a sequence ` +
        'number (digits) or a time (ISO 8601 such as 2026-01-31T12:00:00Z, or ms:1767182400000)',
    )
  }
  return { type: 'AT_TIMESTAMP', timestampMs: timeMs }
}

export async function streamsReadCommand(
  stream: string,
  options: StreamsReadOptions,
): Promise<void> {
  const position = parseReadPosition(options.from)
  const limit = options.limit ?? 20
  return withEddy(options, async (eddy) => {
    const reader = eddy.stream(stream)
    const shardIds = options.shard
      ? [options.shard]
      : (await reader.describe()).shards.map((s) => s.shardId)
    const records: ChangeRecord[] = []
    let expiredRecords = 0
    for (const shardId of shardIds) {
      const iterator = await reader.getShardIterator(shardId, position)
      const read = await reader.read(iterator, { limit })
      records.push(...read.records)
      expiredRecords += read.expiredRecords
    }
    // Each shard is in order; across shards, creation time is the only order there is.
    records.sort((a, b) => a.createdAtMs - b.createdAtMs)
    const shown = records.slice(0, limit)
    if (options.json) return printJson({ stream, records: shown, expiredRecords })

    printTable(
      ['shard', 'sequence number', 'event', 'created', 'keys', 'new image'],
      shown.map((r) => [
        r.shard,
        r.sequenceNumber,
        r.eventName,
        toIso(r.createdAtMs),
        JSON.stringify(r.keys ?? r.partitionKey ?? null),
        abbreviate(JSON.stringify(r.newImage ?? r.data ?? null)),
      ]),
    )
    if (expiredRecords > 0) {
      process.stdout.write(`${expiredRecords} record(s) before this position expired\n`)
    }
    process.stdout.write(
      `${shown.length} record(s) shown (--limit ${limit}, --json for all fields)\n`,
    )
  })
}

function toIso(timeMs: number | null): string | null {
  return timeMs === null ? null : new Date(timeMs).toISOString()
}

function abbreviate(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
