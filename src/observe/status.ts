/** A snapshot of streams, consumers and queues, for `eddy status` and the HTTP API. */
import type { Store } from '../store/index.ts'
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
  lastError: string | null
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

export interface StatusReport {
  store: string
  streams: StreamStatus[]
  consumers: ConsumerShardStatus[]
  queues: QueueStatus[]
}

export async function readStatus(store: Store): Promise<StatusReport> {
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
  for (const row of await store.listConsumerShards()) {
    consumers.push({
      consumer: row.consumer,
      stream: row.stream,
      shard: formatShardId(row.shard),
      checkpoint: row.checkpoint > 0 ? formatSequenceNumber(row.checkpoint) : null,
      behind: await store.countRecordsAfter(row.stream, row.shard, row.checkpoint),
      iteratorAgeMs: row.iteratorAgeMs,
      delivered: row.delivered,
      errors: row.failed,
      deadLettered: row.deadLettered,
      lastError: row.lastError,
    })
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
  return { store: store.location, streams, consumers, queues }
}
