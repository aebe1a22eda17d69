/**
 * Turns one item write into at most one change record, inside the write's transaction, as
 * DynamoDB Streams does: a write that leaves the item as it was appends nothing; an image the
 * view type does not ask for, or that does not apply, is absent; both images carry the keys.
 * The stream's state (enabled, view type, shards) is read in the same transaction, so enabling,
 * disabling or changing the view type takes effect from the next write on.
 */
import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import type { StreamRow, WriteTx } from '../store/index.ts'
import { shardForPartitionKey } from '../streams/shards.ts'
import type { EventName, Item, NewChangeRecord, UserIdentity } from '../streams/types.ts'
import type { ResolvedTable } from './definition.ts'
import { addressOf } from './validate.ts'

/** What a write did: the item before and after it (undefined where there is none). */
export interface ItemChange {
  keys: Item
  oldItem: Item | undefined
  newItem: Item | undefined
  /** Set on deletes made by time to live. */
  userIdentity?: UserIdentity
}

/** What `applyChange` did: the event name (null when nothing changed) and the record's place. */
export interface AppliedChange {
  eventName: EventName | null
  /** Sequence number of the change record, or null when none was appended. */
  sequence: number | null
}

function eventNameOf(change: ItemChange): EventName | null {
  if (change.oldItem === undefined && change.newItem === undefined) return null
  if (change.oldItem === undefined) return 'INSERT'
  if (change.newItem === undefined) return 'REMOVE'
  return isDeepStrictEqual(change.oldItem, change.newItem) ? null : 'MODIFY'
}

function buildRecord(
  stream: StreamRow,
  eventName: EventName,
  partitionKey: string,
  change: ItemChange,
  nowMs: number,
): NewChangeRecord {
  const record: NewChangeRecord = {
    eventId: randomUUID(),
    eventName,
    stream: stream.name,
    shard: shardForPartitionKey(partitionKey, stream.shardCount),
    createdAtMs: nowMs,
    keys: change.keys,
    streamViewType: stream.viewType,
  }
  const wantsNew = stream.viewType === 'NEW_IMAGE' || stream.viewType === 'NEW_AND_OLD_IMAGES'
  const wantsOld = stream.viewType === 'OLD_IMAGE' || stream.viewType === 'NEW_AND_OLD_IMAGES'
  if (wantsNew && change.newItem) record.newImage = change.newItem
  if (wantsOld && change.oldItem) record.oldImage = change.oldItem
  if (change.userIdentity) record.userIdentity = change.userIdentity
  return record
}

/** The item's time to live in seconds since the epoch, when the table has one and it is a number. */
function expiresAtSeconds(table: ResolvedTable, item: Item): number | null {
  const value = table.ttlAttribute ? item[table.ttlAttribute] : undefined
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/**
 * Applies a change to the item and appends its change record, both in `tx`. Returns the event
 * name (null when nothing changed) and the record's sequence number.
 */
export async function applyChange(
  tx: WriteTx,
  table: ResolvedTable,
  change: ItemChange,
): Promise<AppliedChange> {
  const eventName = eventNameOf(change)
  if (!eventName) return { eventName: null, sequence: null }

  const address = addressOf(table, change.keys)
  if (change.newItem)
    await tx.putItem(address, change.newItem, expiresAtSeconds(table, change.newItem))
  else await tx.deleteItem(address)

  const stream = await tx.getStream(table.name)
  if (!stream?.enabled || stream.table !== table.name) return { eventName, sequence: null }
  const record = buildRecord(stream, eventName, address.partitionKey, change, tx.nowMs)

  // The record carries the version of the table's latest schema, so that a consumer's contract
  // error can say which version the producer was on. It costs one indexed lookup per write.
  const schemaVersion = await tx.latestSchemaVersion(table.name)
  if (schemaVersion !== null) record.schemaVersion = schemaVersion
  return { eventName, sequence: await tx.appendRecord(record) }
}
