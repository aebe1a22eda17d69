/**
 * Replay: move a consumer's checkpoints back (or forward) to a sequence number or a time. The
 * move revokes the shard's lease in the same write, so the process running the shard can no
 * longer save its old checkpoint; the runner takes the lease again and starts from the new one.
 */
import { ValidationError, describe } from '../errors.ts'
import type { ConsumerShardRow, Store } from '../store/index.ts'
import { formatShardId, parseSequenceNumber } from '../streams/positions.ts'
import type { ResolvedConsumer } from './definition.ts'

/** Where to replay from: the record with this sequence number on, or records created since a time. */
export type ReplayOptions = ({ fromSequenceNumber: string } | { fromTimeMs: number }) & {
  /** Only compute the moves; change nothing. */
  dryRun?: boolean
}

/** One shard's move. */
export interface ReplayResult {
  shard: string
  /** The checkpoint before and after, as sequence numbers (0 before the first record). */
  previousCheckpoint: number
  checkpoint: number
}

/** Moves every shard's checkpoint of `consumer`; returns the moves. */
export async function replay(
  store: Store,
  consumer: ResolvedConsumer,
  options: ReplayOptions,
): Promise<ReplayResult[]> {
  const shards = (await store.listConsumerShards()).filter((row) => row.consumer === consumer.name)
  const targets = await Promise.all(
    shards.map((row) => targetOf(store, row.stream, row.shard, options)),
  )

  if (options.dryRun) return results(shards, targets)
  await store.write(async (tx) => {
    for (const [index, row] of shards.entries()) {
      await tx.moveCheckpoint(row.consumer, row.shard, targets[index] as number)
    }
  })
  return results(shards, targets)
}

function results(shards: ConsumerShardRow[], targets: number[]): ReplayResult[] {
  return shards.map((row, index) => ({
    shard: formatShardId(row.shard),
    previousCheckpoint: row.checkpoint,
    checkpoint: targets[index] as number,
  }))
}

/** The checkpoint that makes the shard deliver the first record at or after the position. */
async function targetOf(
  store: Store,
  stream: string,
  shard: number,
  options: ReplayOptions,
): Promise<number> {
  if ('fromSequenceNumber' in options) {
    return Math.max(0, parseSequenceNumber(options.fromSequenceNumber) - 1)
  }
  if (!Number.isFinite(options.fromTimeMs) || options.fromTimeMs < 0) {
    throw new ValidationError(
      `Replay fromTimeMs ${describe(options.fromTimeMs)} is not valid: expected milliseconds since the epoch`,
    )
  }
  return store.sequenceBefore(stream, shard, options.fromTimeMs)
}
