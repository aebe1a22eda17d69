/**
 * Time to live: items whose TTL attribute (seconds since the epoch) has passed are deleted in the
 * background, in small steps, each delete appending a REMOVE record whose `userIdentity` names
 * the service, as DynamoDB does, so a handler can tell an expiry from a user's delete.
 * As on DynamoDB, an expired item stays readable until the sweep reaches it.
 */
import type { Store } from '../store/index.ts'
import { timeToLiveIdentity } from '../streams/types.ts'
import { applyChange } from './change-capture.ts'
import type { ResolvedTable } from './definition.ts'
import { extractKeys } from './validate.ts'

/** Items deleted per write transaction, so a sweep never holds the writer for long. */
const itemsPerStep = 500

/** Deletes the expired items of every table with a TTL attribute; returns how many. */
export async function deleteExpiredItems(
  store: Store,
  tables: Iterable<ResolvedTable>,
  nowMs = Date.now(),
): Promise<number> {
  let total = 0
  for (const table of tables) {
    if (!table.ttlAttribute) continue
    let removed: number
    do {
      removed = await store.write((tx) => deleteStep(tx, table, Math.floor(nowMs / 1000)))
      total += removed
    } while (removed === itemsPerStep)
  }
  return total
}

async function deleteStep(
  tx: Parameters<Parameters<Store['write']>[0]>[0],
  table: ResolvedTable,
  nowSeconds: number,
): Promise<number> {
  const expired = await tx.expiredItems(table.name, nowSeconds, itemsPerStep)
  for (const { item } of expired) {
    const keys = extractKeys(table, item)
    await applyChange(tx, table, {
      keys,
      oldItem: item,
      newItem: undefined,
      userIdentity: timeToLiveIdentity,
    })
  }
  return expired.length
}
