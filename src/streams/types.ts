/** The data a stream carries. Shared by the store, the tables that write it and the consumers. */

/** A JSON object stored in a table. */
export type Item = Record<string, unknown>

/**
 * What a change did to its item; `PUBLISH` marks a record published to a standalone stream,
 * which carries `partitionKey` and `data` instead of keys and images.
 */
export type EventName = 'INSERT' | 'MODIFY' | 'REMOVE' | 'PUBLISH'

/**
 * Who made a change, when it was not a user: time to live marks the REMOVE records of expired
 * items this way, as DynamoDB does, so a handler can tell an expiry from a user's delete.
 */
export interface UserIdentity {
  type: 'Service'
  principalId: 'dynamodb.amazonaws.com'
}

/** The identity on REMOVE records of items deleted because their time to live passed. */
export const timeToLiveIdentity: UserIdentity = {
  type: 'Service',
  principalId: 'dynamodb.amazonaws.com',
}

/** What a change record carries besides the keys. */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES'

export const streamViewTypes: readonly StreamViewType[] = [
  'KEYS_ONLY',
  'NEW_IMAGE',
  'OLD_IMAGE',
  'NEW_AND_OLD_IMAGES',
]

/**
 * One change in a stream, as a consumer's handler receives it. An image that the stream's
 * view type does not ask for, or that does not apply (no old image on INSERT, no new image on
 * REMOVE), is absent rather than empty.
 */
export interface ChangeRecord<TItem extends object = Item> {
  /** Unique id of this change; stable across redeliveries, so handlers can deduplicate on it. */
  eventId: string
  eventName: EventName
  /** Name of the stream; a table's stream has the table's name. */
  stream: string
  /** Shard id, such as `shard-0002`. */
  shard: string
  /** Position in the shard: a decimal string of 20 digits, strictly increasing in the shard. */
  sequenceNumber: string
  /** When the change was committed, in milliseconds since the epoch. */
  createdAtMs: number
  /** The key attributes of the item. */
  keys: Item
  newImage?: TItem
  oldImage?: TItem
  /** Size of keys and images as stored, in bytes. */
  sizeBytes: number
  streamViewType: StreamViewType
  /**
   * Version of the table's latest registered schema when the change was written; absent when the
   * table had no schema then.
   */
  schemaVersion?: number
  /** Present on REMOVE records of items that expired (time to live); absent on user deletes. */
  userIdentity?: UserIdentity
  /** The partition key a published record was given (standalone streams). */
  partitionKey?: string
  /** The payload of a published record (standalone streams). */
  data?: unknown
}

/** A change record before the store gives it a sequence number. */
export interface NewChangeRecord {
  eventId: string
  eventName: EventName
  stream: string
  shard: number
  createdAtMs: number
  keys: Item
  newImage?: Item
  oldImage?: Item
  streamViewType: StreamViewType
  schemaVersion?: number
  userIdentity?: UserIdentity
  partitionKey?: string
  data?: unknown
}
