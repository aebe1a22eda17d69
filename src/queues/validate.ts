/**
 * Validation of what callers hand to a queue, in one place: bodies, delays, attributes, FIFO
 * ids, batches, receive options and receipt-handle outcomes. Every message names the queue.
 */
import { createHash } from 'node:crypto'
import { ConflictError, NotFoundError, ValidationError, describe } from '../errors.ts'
import type { HandleOutcome, NewMessage, QueueRow } from '../store/index.ts'
import { checkAttributes, type MessageAttributes } from './attributes.ts'
import { queueLimits } from './definition.ts'

/** Options of one message. */
export interface SendOptions {
  /** Seconds before the message can be received: 0 to 900. Default: the queue's delay. */
  delaySeconds?: number
  messageAttributes?: MessageAttributes
  /** FIFO queues: required; messages of one group are delivered in order, one batch at a time. */
  messageGroupId?: string
  /** FIFO queues: a send with an id seen in the last 5 minutes is dropped as a duplicate. */
  messageDeduplicationId?: string
}

/** One entry of a batch send; `id` names its result. */
export interface SendBatchEntry extends SendOptions {
  id: string
  body: string
}

const entryIdPattern = /^[A-Za-z0-9_-]{1,80}$/
const fifoIdPattern = /^[\x21-\x7e]{1,128}$/

/** Checks one message against its queue and turns it into the store's form. */
export function toNewMessage(queue: QueueRow, body: string, options: SendOptions = {}): NewMessage {
  if (typeof body !== 'string' || body.length === 0) {
    throw new ValidationError(
      `Message for queue "${queue.name}" must be a non-empty string, got ${describe(body)}`,
    )
  }
  const attributes = checkAttributes(queue.name, options.messageAttributes)
  const sizeBytes = Buffer.byteLength(body) + attributes.sizeBytes
  if (sizeBytes > queue.maxBodyBytes) {
    throw new ValidationError(
      `Message for queue "${queue.name}" is ${sizeBytes} bytes with its attributes, over the ` +
        `queue's limit of ${queue.maxBodyBytes}: send less, or raise maxBodyBytes`,
    )
  }
  return {
    body,
    delayMs: delayMs(queue, options.delaySeconds),
    attributes: attributes.json,
    ...fifoIds(queue, body, options),
  }
}

function delayMs(queue: QueueRow, seconds: number | undefined): number {
  if (seconds === undefined) return queue.delayMs
  if (queue.fifo) {
    throw new ValidationError(
      `Queue "${queue.name}" is FIFO: a delay is set for the queue, not per message`,
    )
  }
  checkWhole(queue.name, 'delaySeconds', seconds, 0, queueLimits.maxDelaySeconds)
  return seconds * 1000
}

function fifoIds(queue: QueueRow, body: string, options: SendOptions) {
  if (!queue.fifo) return { groupId: null, deduplicationId: null }
  const groupId = options.messageGroupId
  if (typeof groupId !== 'string' || !fifoIdPattern.test(groupId)) {
    throw new ValidationError(
      `Queue "${queue.name}" is FIFO: messageGroupId is ${describe(groupId)}, expected 1 to 128 printable characters`,
    )
  }
  const given = options.messageDeduplicationId
  if (given !== undefined && !fifoIdPattern.test(given)) {
    throw new ValidationError(
      `Queue "${queue.name}": messageDeduplicationId ${describe(given)} is not 1 to 128 printable characters`,
    )
  }
  if (given === undefined && !queue.contentBasedDeduplication) {
    throw new ValidationError(
      `Queue "${queue.name}" is FIFO without content-based deduplication: give a messageDeduplicationId`,
    )
  }
  return { groupId, deduplicationId: given ?? createHash('sha256').update(body).digest('hex') }
}

/**
 * Checks a batch as a whole: 1 to 10 entries with distinct, well-formed ids. Unlike SQS, the sum
 * of a batch's sizes is not limited; each message is limited by the queue's `maxBodyBytes`.
 */
export function checkBatch(queue: string, entries: readonly { id: string }[]): void {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ValidationError(
      `Batch for queue "${queue}" is empty: give 1 to ${queueLimits.batchEntries} entries`,
    )
  }
  if (entries.length > queueLimits.batchEntries) {
    throw new ValidationError(
      `Batch for queue "${queue}" has ${entries.length} entries: at most ${queueLimits.batchEntries}`,
    )
  }
  const seen = new Set<string>()
  for (const { id } of entries) {
    if (typeof id !== 'string' || !entryIdPattern.test(id)) {
      throw new ValidationError(
        `Batch for queue "${queue}": entry id ${describe(id)} is not 1 to 80 letters, digits, "_" or "-"`,
      )
    }
    if (seen.has(id))
      throw new ValidationError(
        `Batch for queue "${queue}": entry id "${id}" appears twice; ids must be distinct`,
      )
    seen.add(id)
  }
}

/** Checks a whole number option; throws naming the queue, the option and the range. */
export function checkWhole(
  queue: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      `Queue "${queue}": ${option} is ${describe(value)}, expected a whole number from ${min} to ${max}`,
    )
  }
  return value
}

/** Turns a receipt-handle outcome other than `ok` into the error that explains it. */
export function handleError(queue: string, outcome: HandleOutcome, handle: string): Error | null {
  const quoted = describe(handle)
  switch (outcome) {
    case 'ok':
      return null
    case 'invalid':
      return new ValidationError(`Queue "${queue}": ${quoted} is not a receipt handle`)
    case 'other-queue':
      return new ValidationError(
        `Queue "${queue}": receipt handle ${quoted} belongs to another queue`,
      )
    case 'stale':
      return new ConflictError(
        `Queue "${queue}": receipt handle ${quoted} is stale: the message was received again since, or its visibility timeout ended; use the newest receipt handle`,
      )
    case 'gone':
      return new NotFoundError(
        `Queue "${queue}": the message of receipt handle ${quoted} is no longer in the queue`,
      )
  }
}
