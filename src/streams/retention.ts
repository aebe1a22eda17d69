/**
 * Retention: records older than their stream's retention are deleted in the background, a
 * small batch per write so that trimming never holds the writer for long; writes that arrive
 * meanwhile commit between the steps. Each step is logged per shard, so that a read from a
 * trimmed position can say how many records it missed.
 */
import type { Logger } from '../observe/logger.ts'
import type { Store } from '../store/index.ts'

const recordsPerStep = 1_000

/** Deletes expired records of every stream; returns how many. */
export async function trimExpiredRecords(
  store: Store,
  log: Logger,
  nowMs = Date.now(),
): Promise<number> {
  let total = 0
  for (const stream of await store.listStreams()) {
    const cutoffMs = nowMs - stream.retentionMs
    let removed: number
    do {
      removed = await store.write((tx) => tx.trimStream(stream.name, cutoffMs, recordsPerStep))
      total += removed
    } while (removed === recordsPerStep)
  }
  if (total > 0) log.info({ records: total }, 'trimmed records past retention')
  return total
}
