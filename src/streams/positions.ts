/**
 * Shard ids and sequence numbers as users see them. Inside the store both are integers; outside
 * they are strings, as on DynamoDB Streams, padded so that string order is numeric order.
 */
import { ValidationError, describe } from '../errors.ts'

const sequenceDigits = 20
const zeros = '0'.repeat(sequenceDigits)

/** Formats a stored sequence number for users. */
export function formatSequenceNumber(sequence: number): string {
  // Slicing a constant is several times cheaper than padStart, and runs once per record read.
  const digits = String(sequence)
  return digits.length >= sequenceDigits ? digits : zeros.slice(digits.length) + digits
}

/** Parses a sequence number a user gave back; accepts padded or plain decimal strings. */
export function parseSequenceNumber(text: string): number {
  if (!/^\d{1,20}$/.test(text)) {
    throw new ValidationError(
      `Sequence number ${describe(text)} is not valid: expected a decimal string of at most 20 digits`,
    )
  }
  return Number(text)
}

/** Formats a shard index as a shard id. */
export function formatShardId(shard: number): string {
  return `shard-${String(shard).padStart(4, '0')}`
}

/** Parses a shard id such as `shard-0002` back to its index. */
export function parseShardId(shardId: string): number {
  const match = /^shard-(\d{4,})$/.exec(shardId)
  if (!match?.[1]) {
    throw new ValidationError(`Shard id ${describe(shardId)} is not valid: expected shard-NNNN`)
  }
  return Number(match[1])
}
