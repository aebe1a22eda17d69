/**
 * Turns one item write into at most one change record, inside the write's transaction. A write
 * that leaves the item as it was appends nothing; an image the view type does not ask for, or
 * that does not apply, is absent.
 */
import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import type { WriteTx } from '../store/index.ts'
import { shardForPartitionKey } from '../streams/shards.ts'
import type { EventName, Item, NewChangeRecord } from '../streams/types.ts'
import type { ResolvedTable } from './definition.ts'
import { addressOf } from './validate.ts'

/** What a write did: the item before and after it (undefined where there is none). */
export interface ItemChange {
  keys: Item
  oldItem: Item | undefined
  newItem: Item | undefined
}

function eventNameOf(change: ItemChange): EventName | null {
  if (change.oldItem === undefined && change.newItem === undefined) return null
  if (change.oldItem === undefined) return 'INSERT'
  if (change.newItem === undefined) return 'REMOVE'
  return isDeepStrictEqual(change.oldItem, change.newItem) ? null : 'MODIFY'
}

function buildRecord(
  table: ResolvedTable,
  eventName: EventName,
  change: ItemChange,
  nowMs: number,
): NewChangeRecord | null {
  const stream = table.stream
  if (!stream) return null

  const partitionKey = addressOf(table, change.keys).partitionKey
  const record: NewChangeRecord = {
    eventId: randomUUID(),
    eventName,
    stream: table.name,
    shard: shardForPartitionKey(partitionKey, stream.shards),
    createdAtMs: nowMs,
    keys: change.keys,
    streamViewType: stream.viewType,
  }
  const wantsNew = stream.viewType === 'NEW_IMAGE' || stream.viewType === 'NEW_AND_OLD_IMAGES'
  const wantsOld = stream.viewType === 'OLD_IMAGE' || stream.viewType === 'NEW_AND_OLD_IMAGES'
  if (wantsNew && change.newItem) record.newImage = change.newItem
  if (wantsOld && change.oldItem) record.oldImage = change.oldItem
  return record
}

/**
 * Applies a change to the item and appends its change record, both in `tx`. Returns the event
 * name, or null when nothing changed.
 */
export async function applyChange(
  tx: WriteTx,
  table: ResolvedTable,
  change: ItemChange,
): Promise<EventName | null> {
  const eventName = eventNameOf(change)
  if (!eventName) return null

  const address = addressOf(table, change.keys)
  if (change.newItem) await tx.putItem(address, change.newItem)
  else await tx.deleteItem(address)

  const record = buildRecord(table, eventName, change, tx.nowMs)
  if (!record) return eventName

  // The record carries the version of the table's latest schema, so that a consumer's contract
  // error can say which version the producer was on. It costs one indexed lookup per write.
  const schemaVersion = await tx.latestSchemaVersion(table.name)
  if (schemaVersion !== null) record.schemaVersion = schemaVersion
  await tx.appendRecord(record)
  return eventName
}
