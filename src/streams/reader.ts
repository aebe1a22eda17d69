/**
 * Reading and publishing streams, as DynamoDB Streams and Kinesis clients do: describe a stream,
 * get a shard iterator (oldest record, latest, at or after a sequence number, at a time), read
 * up to a count and a byte limit of records with the next iterator, and publish records with a
 * partition key to a standalone stream. A read from a position that retention has trimmed
 * reports how many records expired (`expiredRecords`) and goes on from the oldest record left.
 */
import { randomUUID } from 'node:crypto'
import { NotFoundError, ValidationError, describe } from '../errors.ts'
import type { Store, StreamRow } from '../store/index.ts'
import { findUnstorable } from '../tables/validate.ts'
import {
  formatSequenceNumber,
  formatShardId,
  parseSequenceNumber,
  parseShardId,
} from './positions.ts'
import { shardForPartitionKey } from './shards.ts'
import type { ChangeRecord, NewChangeRecord } from './types.ts'

/** Where a shard iterator starts. */
export type IteratorPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'AT_TIMESTAMP'; timestampMs: number }

/** One read of a shard. */
export interface ReadResult {
  records: ChangeRecord[]
  /** Where the next read starts; it stays valid while the stream exists. */
  nextIterator: string
  /** Records that retention removed between the iterator's position and the first record read. */
  expiredRecords: number
}

/** A stream and its shards. */
export interface StreamDescription extends StreamRow {
  shards: { shardId: string; lastSequenceNumber: string | null }[]
}

/** One record to publish to a standalone stream. */
export interface PublishRequest {
  /** Decides the shard: records with one partition key stay in order. 1 to 256 characters. */
  partitionKey: string
  /** Any JSON value, at most 1 MB. */
  data: unknown
}

/** Most records one read returns, and the default. */
export const maxReadRecords = 10_000
const defaultReadRecords = 1_000
/** Most bytes one read returns by default, as DynamoDB Streams' 1 MB. */
export const defaultReadBytes = 1024 * 1024
/** Most bytes of one published record's data, as Kinesis. */
export const maxPublishBytes = 1024 * 1024

interface IteratorState {
  stream: string
  shard: number
  after: number
}

function encodeIterator(state: IteratorState): string {
  return Buffer.from(JSON.stringify([state.stream, state.shard, state.after])).toString('base64url')
}

function decodeIterator(iterator: unknown): IteratorState {
  try {
    const [stream, shard, after] = JSON.parse(
      Buffer.from(String(iterator), 'base64url').toString(),
    ) as unknown[]
    if (typeof stream === 'string' && Number.isInteger(shard) && Number.isInteger(after)) {
      return { stream, shard: shard as number, after: after as number }
    }
  } catch {
    // Falls through to the error below, which says what an iterator is.
  }
  throw new ValidationError(
    `Shard iterator ${describe(iterator)} is not valid: pass one that getShardIterator or a read returned`,
  )
}

/** A stream bound to a store. Get one with `eddy.stream(name)`. */
export class Stream {
  constructor(
    private readonly store: Store,
    readonly name: string,
  ) {}

  /** The stream's state (label, enabled, view type, retention) and its shards. */
  async describe(): Promise<StreamDescription> {
    const row = await this.#row()
    const last = await this.store.lastSequences(this.name, row.shardCount)
    const shards = last.map((sequence, shard) => ({
      shardId: formatShardId(shard),
      lastSequenceNumber: sequence === 0 ? null : formatSequenceNumber(sequence),
    }))
    return { ...row, shards }
  }

  /** An iterator into one shard, to pass to `read`. */
  async getShardIterator(shardId: string, position: IteratorPosition): Promise<string> {
    const row = await this.#row()
    const shard = parseShardId(shardId)
    if (shard >= row.shardCount) {
      throw new ValidationError(
        `Stream "${this.name}" has no shard ${shardId}: it has shards shard-0000 to ${formatShardId(row.shardCount - 1)}`,
      )
    }
    return encodeIterator({
      stream: this.name,
      shard,
      after: await this.#startAfter(shard, position),
    })
  }

  /** Reads records at the iterator: at most `limit` records and about `maxBytes` bytes (at least one record). */
  async read(
    iterator: string,
    options: { limit?: number; maxBytes?: number } = {},
  ): Promise<ReadResult> {
    const state = decodeIterator(iterator)
    if (state.stream !== this.name) {
      throw new ValidationError(
        `Shard iterator is for stream "${state.stream}", not "${this.name}"`,
      )
    }
    const limit = checkLimit(options.limit ?? defaultReadRecords, this.name)
    const maxBytes = options.maxBytes ?? defaultReadBytes

    const trimmed = await this.store.trimmedAfter(this.name, state.shard, state.after)
    const fetched = await this.store.readRecords(this.name, state.shard, state.after, limit)
    const records = withinBytes(fetched, maxBytes)

    const last = records.at(-1)
    const after = last
      ? parseSequenceNumber(last.sequenceNumber)
      : Math.max(state.after, trimmed.throughSequence)
    return {
      records,
      nextIterator: encodeIterator({ ...state, after }),
      expiredRecords: trimmed.records,
    }
  }

  /** Publishes records to a standalone stream in one transaction; returns where each landed. */
  async publish(
    requests: PublishRequest[],
  ): Promise<{ shardId: string; sequenceNumber: string }[]> {
    const checked = this.#checkPublish(requests)
    return this.store.write(async (tx) => {
      const row = await tx.getStream(this.name)
      if (!row || row.table !== null) throw notStandalone(this.name)
      const placed: { shardId: string; sequenceNumber: string }[] = []
      for (const request of checked) {
        const record = publishedRecord(row, request, tx.nowMs)
        const sequence = await tx.appendRecord(record)
        placed.push({
          shardId: formatShardId(record.shard),
          sequenceNumber: formatSequenceNumber(sequence),
        })
      }
      return placed
    })
  }

  async #row(): Promise<StreamRow> {
    const row = await this.store.getStream(this.name)
    if (!row)
      throw new NotFoundError(
        `Stream "${this.name}" does not exist: declare it in tables or streams`,
      )
    return row
  }

  async #startAfter(shard: number, position: IteratorPosition): Promise<number> {
    const type = position?.type
    if (type === 'TRIM_HORIZON') return 0
    if (type === 'LATEST') return (await this.store.lastSequences(this.name, shard + 1))[shard] ?? 0
    if (type === 'AT_SEQUENCE_NUMBER') return parseSequenceNumber(position.sequenceNumber) - 1
    if (type === 'AFTER_SEQUENCE_NUMBER') return parseSequenceNumber(position.sequenceNumber)
    if (type === 'AT_TIMESTAMP' && Number.isFinite(position.timestampMs)) {
      const first = await this.store.firstSequenceAtOrAfter(this.name, shard, position.timestampMs)
      if (first !== null) return first - 1
      return (await this.store.lastSequences(this.name, shard + 1))[shard] ?? 0
    }
    throw new ValidationError(
      `Iterator position ${describe(position)} for stream "${this.name}" is not valid: expected type ` +
        'TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER (with sequenceNumber), ' +
        'or AT_TIMESTAMP (with timestampMs)',
    )
  }

  #checkPublish(requests: PublishRequest[]): PublishRequest[] {
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 500) {
      throw new ValidationError(
        `Publish to stream "${this.name}" needs a list of 1 to 500 records, got ${describe(requests)}`,
      )
    }
    requests.forEach((request, index) => {
      const where = `Publish to stream "${this.name}" record ${index}`
      const key = request?.partitionKey
      if (typeof key !== 'string' || key.length === 0 || key.length > 256) {
        throw new ValidationError(
          `${where}: partitionKey is ${describe(key)}: expected a string of 1 to 256 characters`,
        )
      }
      const problem = findUnstorable(request.data, 'data', new Set())
      if (problem) throw new ValidationError(`${where}: ${problem}`)
      const sizeBytes = Buffer.byteLength(JSON.stringify(request.data))
      if (sizeBytes > maxPublishBytes) {
        throw new ValidationError(
          `${where}: data is ${sizeBytes} bytes, over the limit of ${maxPublishBytes} bytes`,
        )
      }
    })
    return requests
  }
}

function publishedRecord(row: StreamRow, request: PublishRequest, nowMs: number): NewChangeRecord {
  return {
    eventId: randomUUID(),
    eventName: 'PUBLISH',
    stream: row.name,
    shard: shardForPartitionKey(request.partitionKey, row.shardCount),
    createdAtMs: nowMs,
    keys: { partitionKey: request.partitionKey },
    streamViewType: row.viewType,
    partitionKey: request.partitionKey,
    data: request.data,
  }
}

function notStandalone(name: string): ValidationError {
  return new ValidationError(
    `Stream "${name}" is a table's stream: write to the table instead, or declare a standalone stream in streams`,
  )
}

function checkLimit(limit: number, name: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxReadRecords) {
    throw new ValidationError(
      `Read of stream "${name}": limit ${describe(limit)} is not valid: expected 1 to ${maxReadRecords}`,
    )
  }
  return limit
}

/** The longest prefix within `maxBytes`, and always the first record so that reads progress. */
function withinBytes(records: ChangeRecord[], maxBytes: number): ChangeRecord[] {
  let bytes = 0
  for (const [index, record] of records.entries()) {
    bytes += record.sizeBytes
    if (bytes > maxBytes && index > 0) return records.slice(0, index)
  }
  return records
}
