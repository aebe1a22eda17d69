/** A snapshot of streams, consumers and queues, for `eddy status` and the HTTP API. */
import type { AlarmStateRow, ConsumerShardRow, Store, StreamRow } from '../store/index.ts'
import { formatSequenceNumber, formatShardId } from '../streams/positions.ts'

export interface ConsumerShardStatus {
  consumer: string
  stream: string
  shard: string
  /** Last finished sequence number, or null before the first record. */
  checkpoint: string | null
  /** Records in the shard after the checkpoint. */
  behind: number
  /** Age of the last record of the last batch when it was read; null before the first batch. */
  iteratorAgeMs: number | null
  delivered: number
  errors: number
  deadLettered: number
  filteredOut: number
  /** Records that left the stream by retention before this consumer finished them: lost. */
  expired: number
  /** Records dropped at the retry or age limit with no dead-letter queue to keep them. */
  discarded: number
  lastError: string | null
  /**
   * `disabled`, `stopped` (no process holds the lease), `idle` (caught up), `running`, or
   * `retrying` (blocked on a failing record; see `blockedSince`).
   */
  state: 'disabled' | 'stopped' | 'idle' | 'running' | 'retrying'
  /** ISO time since which the shard is blocked on `blockingSequenceNumber`; null when not blocked. */
  blockedSince: string | null
  blockingSequenceNumber: string | null
  /** The attempt the blocking record is on. */
  attempt: number | null
  /**
   * Time left before the blocking record is dropped: by the consumer's maxRecordAgeSeconds or by
   * the stream's retention, whichever comes first.
   */
  expiresInMs: number | null
  /** The process holding the lease, or null. */
  leaseOwner: string | null
}

export interface QueueStatus {
  queue: string
  /** Every message in the queue: visible, in flight and delayed. */
  depth: number
  visible: number
  inFlight: number
  delayed: number
  /** Age of the oldest message, or null for an empty queue. */
  oldestMessageAgeMs: number | null
}

export interface StreamStatus {
  stream: string
  table: string | null
  shards: number
  records: number
  oldestRecordAgeMs: number | null
}

export interface AlarmStatus {
  alarm: string
  /** `INSUFFICIENT_DATA` also for a declared alarm no process has evaluated yet. */
  state: AlarmStateRow['state']
  reason: string
  /** The latest datapoint; null when missing. */
  value: number | null
  /** ISO times of the last evaluation and of the last change of state; null before the first. */
  evaluatedAt: string | null
  changedAt: string | null
}

export interface StatusReport {
  store: string
  streams: StreamStatus[]
  consumers: ConsumerShardStatus[]
  queues: QueueStatus[]
  alarms: AlarmStatus[]
}

/**
 * The stored state of each declared alarm (or of every stored one when `declared` is not
 * given); an alarm no process has evaluated yet is INSUFFICIENT_DATA.
 */
export async function readAlarmStatus(store: Store, declared?: string[]): Promise<AlarmStatus[]> {
  const stored = new Map((await store.listAlarmStates()).map((row) => [row.name, row]))
  const names = declared ?? [...stored.keys()]
  return names.map((alarm) => {
    const row = stored.get(alarm)
    if (!row) {
      const reason = 'not evaluated yet: alarms run while eddy dev or eddy start runs'
      const never = { value: null, evaluatedAt: null, changedAt: null }
      return { alarm, state: 'INSUFFICIENT_DATA' as const, reason, ...never }
    }
    return {
      alarm,
      state: row.state,
      reason: row.reason,
      value: row.value,
      evaluatedAt: new Date(row.evaluatedAtMs).toISOString(),
      changedAt: row.changedAtMs === undefined ? null : new Date(row.changedAtMs).toISOString(),
    }
  })
}

/** Reads everything `eddy status` shows; `alarms` names the declared alarms. */
export async function readStatus(store: Store, alarms?: string[]): Promise<StatusReport> {
  const nowMs = Date.now()
  const streams: StreamStatus[] = []
  for (const stream of await store.listStreams()) {
    const shards = await store.shardStats(stream.name, stream.shardCount)
    const oldest = Math.min(...shards.map((s) => s.oldestCreatedAtMs ?? Number.POSITIVE_INFINITY))
    streams.push({
      stream: stream.name,
      table: stream.table,
      shards: stream.shardCount,
      records: shards.reduce((sum, s) => sum + s.records, 0),
      oldestRecordAgeMs: Number.isFinite(oldest) ? nowMs - oldest : null,
    })
  }

  const consumers: ConsumerShardStatus[] = []
  const streamRows = new Map((await store.listStreams()).map((row) => [row.name, row]))
  for (const row of await store.listConsumerShards()) {
    const behind = await store.countRecordsAfter(row.stream, row.shard, row.checkpoint)
    consumers.push(consumerStatus(row, behind, streamRows.get(row.stream), nowMs))
  }

  const queues: QueueStatus[] = []
  for (const queue of await store.listQueues()) {
    const { visible, inFlight, delayed, oldestSentAtMs } = await store.queueDepth(queue)
    queues.push({
      queue,
      depth: visible + inFlight + delayed,
      visible,
      inFlight,
      delayed,
      oldestMessageAgeMs: oldestSentAtMs === null ? null : nowMs - oldestSentAtMs,
    })
  }
  return {
    store: store.location,
    streams,
    consumers,
    queues,
    alarms: await readAlarmStatus(store, alarms),
  }
}

/** Time left before the blocking record is dropped, by the consumer's age limit or retention. */
function expiresInMs(row: ConsumerShardRow, stream: StreamRow | undefined, nowMs: number) {
  if (row.blockingExpiresAtMs !== null) return row.blockingExpiresAtMs - nowMs
  if (row.blockingCreatedAtMs === null || !stream) return null
  return row.blockingCreatedAtMs + stream.retentionMs - nowMs
}

function consumerStatus(
  row: ConsumerShardRow,
  behind: number,
  stream: StreamRow | undefined,
  nowMs: number,
): ConsumerShardStatus {
  const leased = row.leaseOwner !== null && (row.leaseExpiresAtMs ?? 0) > nowMs
  const blocked = leased && row.state === 'retrying' && row.blockedSinceMs !== null
  return {
    consumer: row.consumer,
    stream: row.stream,
    shard: formatShardId(row.shard),
    checkpoint: row.checkpoint > 0 ? formatSequenceNumber(row.checkpoint) : null,
    behind,
    // While blocked the same batch is read again and again: its age keeps growing.
    iteratorAgeMs:
      blocked && row.iteratorAgeMs !== null && row.lastBatchAtMs !== null
        ? row.iteratorAgeMs + (nowMs - row.lastBatchAtMs)
        : row.iteratorAgeMs,
    delivered: row.delivered,
    errors: row.failed,
    deadLettered: row.deadLettered,
    filteredOut: row.filteredOut,
    expired: row.expired,
    discarded: row.discarded,
    lastError: row.lastError,
    state: !row.enabled
      ? 'disabled'
      : !leased
        ? 'stopped'
        : blocked
          ? 'retrying'
          : behind > 0
            ? 'running'
            : 'idle',
    blockedSince: blocked ? new Date(row.blockedSinceMs as number).toISOString() : null,
    blockingSequenceNumber:
      blocked && row.blockingSequence !== null ? formatSequenceNumber(row.blockingSequence) : null,
    attempt: blocked ? row.attempt : null,
    expiresInMs: blocked ? expiresInMs(row, stream, nowMs) : null,
    leaseOwner: leased ? row.leaseOwner : null,
  }
}
