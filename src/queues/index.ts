/**
 * Queues: SQS's messages, visibility timeouts, receive counts, redrive policies and FIFO groups,
 * stored in the same database as the tables, so that a dead letter and the checkpoint that skips
 * its record commit together. Names follow SQS (MessageId, ReceiptHandle, MD5OfBody,
 * ApproximateReceiveCount, ...) in camel case, so that an SQS endpoint can translate directly.
 */
import { ValidationError, describe, rejectUnknownKeys } from '../errors.ts'
import type { PeekedMessage, QueueDepth, QueueRow, Store, StoredMessage } from '../store/index.ts'
import { md5OfAttributes, parseAttributes, type MessageAttributes } from './attributes.ts'
import {
  queueDefinitionSchema,
  queueLimits,
  toQueueRow,
  type QueueDefinition,
} from './definition.ts'
import { pollUntil } from './long-poll.ts'
import {
  checkBatch,
  checkWhole,
  handleError,
  toNewMessage,
  type SendBatchEntry,
  type SendOptions,
} from './validate.ts'

export { deadLetterFormat, parseDeadLetter, toDeadLetter, type DeadLetter } from './dead-letter.ts'
export type { MessageAttributes, MessageAttributeValue } from './attributes.ts'
export {
  checkRedrivePolicies,
  queueDefaults,
  queueLimits,
  type QueueDefinition,
  type RedriveAllowPolicy,
  type RedrivePolicy,
} from './definition.ts'
export type { SendBatchEntry, SendOptions } from './validate.ts'

/** What a send returns (SQS: MessageId, MD5OfMessageBody, MD5OfMessageAttributes, SequenceNumber). */
export interface SendResult {
  messageId: string
  md5OfBody: string
  md5OfMessageAttributes: string | null
  /** FIFO queues: the message's sequence number; null on standard queues. */
  sequenceNumber: string | null
  /** FIFO queues: true when the send was dropped as a duplicate of `messageId`. */
  duplicate: boolean
}

/** A batch entry that failed, with why; other entries of the batch are not affected. */
export interface BatchFailure {
  id: string
  code: string
  message: string
}

/** Per-entry results of a batch call (SQS: Successful, Failed). */
export interface BatchResult<T> {
  successful: (T & { id: string })[]
  failed: BatchFailure[]
}

/** A received message. */
export interface ReceivedMessage {
  messageId: string
  /** The handle to delete it or change its visibility; a new one at every receive. */
  receiptHandle: string
  body: string
  md5OfBody: string
  messageAttributes: MessageAttributes
  md5OfMessageAttributes: string | null
  /** ApproximateReceiveCount: receives so far, this one included. */
  receiveCount: number
  /** ApproximateFirstReceiveTimestamp, in milliseconds since the epoch. */
  firstReceivedAtMs: number
  /** SentTimestamp, in milliseconds since the epoch. */
  sentAtMs: number
  /** FIFO queues: MessageGroupId. */
  messageGroupId: string | null
  /** The queue a redrive policy moved it from (SQS: DeadLetterQueueSourceArn), or null. */
  deadLetterSourceQueue: string | null
}

/** Options of a receive. */
export interface ReceiveOptions {
  /** 1 to 10. Default 1. */
  maxMessages?: number
  /** Seconds the messages stay hidden: 0 to 43,200. Default: the queue's. */
  visibilityTimeoutSeconds?: number
  /** Seconds to wait for a message when none is visible: 0 to 20. Default: the queue's (0). */
  waitTimeSeconds?: number
}

/** A queue's counts and attributes (SQS: GetQueueAttributes). */
export interface QueueAttributes extends QueueDepth {
  queue: string
  /** Age of the oldest message in seconds, or null for an empty queue. */
  oldestMessageAgeSeconds: number | null
  definition: QueueRow
}

/** Checks a queue definition; throws a `ValidationError` that names the problem. */
export function defineQueue(definition: QueueDefinition): QueueDefinition {
  const parsed = queueDefinitionSchema.safeParse(definition)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ValidationError(
      `Queue ${describe(definition?.name)} is not valid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    )
  }
  return definition
}

const sendOptionNames = [
  'delaySeconds',
  'messageAttributes',
  'messageGroupId',
  'messageDeduplicationId',
]
/** A send only writes through the transaction, so the writer may run it again. */
const rerunnable = { rerunnable: true }

/** A queue bound to a store. Get one with `eddy.queue(name)`. */
export class Queue {
  readonly #row: QueueRow

  constructor(
    private readonly store: Store,
    readonly definition: QueueDefinition,
  ) {
    this.#row = toQueueRow(definition)
  }

  get name(): string {
    return this.definition.name
  }

  /** Sends one message. Throws a `ValidationError` for a bad body or option. */
  async send(body: string, options: SendOptions = {}): Promise<SendResult> {
    rejectUnknownKeys(`Send to queue "${this.name}"`, options, sendOptionNames)
    const message = toNewMessage(this.#row, body, options)
    const [sent] = await this.store.write((tx) => tx.sendMessages(this.name, [message]), rerunnable)
    if (!sent) throw new Error(`Queue "${this.name}": the store returned no result for a send`)
    return { ...sent, md5OfMessageAttributes: md5OfAttributes(message.attributes) }
  }

  /** Sends 1 to 10 messages in one write; each entry gets its own result or failure. */
  async sendBatch(entries: SendBatchEntry[]): Promise<BatchResult<SendResult>> {
    checkBatch(this.name, entries)
    const failed: BatchFailure[] = []
    const valid = entries.flatMap((entry) => {
      try {
        rejectUnknownKeys(`Entry "${entry.id}" for queue "${this.name}"`, entry, [
          'id',
          'body',
          ...sendOptionNames,
        ])
        return [{ id: entry.id, message: toNewMessage(this.#row, entry.body, entry) }]
      } catch (error) {
        failed.push(toFailure(entry.id, error))
        return []
      }
    })
    if (valid.length === 0) return { successful: [], failed }

    const sent = await this.store.write(
      (tx) =>
        tx.sendMessages(
          this.name,
          valid.map((v) => v.message),
        ),
      rerunnable,
    )
    const successful = valid.map(({ id, message }, index) => ({
      id,
      ...(sent[index] as Omit<SendResult, 'md5OfMessageAttributes'>),
      md5OfMessageAttributes: md5OfAttributes(message.attributes),
    }))
    return { successful, failed }
  }

  /**
   * Receives up to `maxMessages` visible messages and hides them for the visibility timeout.
   * With a wait time, waits until a message arrives or the time ends, without polling.
   */
  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    rejectUnknownKeys(`Receive from queue "${this.name}"`, options, [
      'maxMessages',
      'visibilityTimeoutSeconds',
      'waitTimeSeconds',
    ])
    const max = checkWhole(
      this.name,
      'maxMessages',
      options.maxMessages ?? 1,
      1,
      queueLimits.batchEntries,
    )
    const hideMs = this.#visibilityMs(options.visibilityTimeoutSeconds)
    const waitSeconds = options.waitTimeSeconds ?? this.definition.receiveWaitTimeSeconds ?? 0
    checkWhole(this.name, 'waitTimeSeconds', waitSeconds, 0, queueLimits.maxWaitTimeSeconds)

    const receiveNow = () =>
      this.store.write((tx) => tx.receiveMessages(this.name, { max, visibilityTimeoutMs: hideMs }))
    const messages = await pollUntil(
      this.store,
      this.name,
      Date.now() + waitSeconds * 1000,
      receiveNow,
    )
    return messages.map(toReceived)
  }

  /**
   * Deletes a received message. Deleting one already deleted succeeds, as on SQS; a stale handle
   * (the message was received again since) or one of another queue is refused.
   */
  async delete(receiptHandle: string): Promise<void> {
    const outcome = await this.store.write((tx) => tx.deleteMessage(this.name, receiptHandle))
    if (outcome === 'gone') return
    const error = handleError(this.name, outcome, receiptHandle)
    if (error) throw error
  }

  /** Deletes 1 to 10 received messages in one write; each entry gets its own result. */
  async deleteBatch(
    entries: { id: string; receiptHandle: string }[],
  ): Promise<BatchResult<object>> {
    checkBatch(this.name, entries)
    const outcomes = await this.store.write(async (tx) =>
      Promise.all(entries.map((entry) => tx.deleteMessage(this.name, entry.receiptHandle))),
    )
    const result: BatchResult<object> = { successful: [], failed: [] }
    entries.forEach(({ id, receiptHandle }, index) => {
      const outcome = outcomes[index] ?? 'invalid'
      const error = outcome === 'gone' ? null : handleError(this.name, outcome, receiptHandle)
      if (error) result.failed.push(toFailure(id, error))
      else result.successful.push({ id })
    })
    return result
  }

  /** Hides an in-flight message for `visibilityTimeoutSeconds` from now; 0 makes it visible. */
  async changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    const hideMs = this.#visibilityMs(visibilityTimeoutSeconds)
    const outcome = await this.store.write((tx) =>
      tx.changeVisibility(this.name, receiptHandle, hideMs),
    )
    const error = handleError(this.name, outcome, receiptHandle)
    if (error) throw error
  }

  /** Deletes every message; returns how many. */
  async purge(): Promise<number> {
    return this.store.write((tx) => tx.purgeQueue(this.name))
  }

  /** Messages in sending order without receiving them: nothing changes, nothing is hidden. */
  async peek(options: { afterSequence?: number; limit?: number } = {}): Promise<PeekedMessage[]> {
    rejectUnknownKeys(`Peek at queue "${this.name}"`, options, ['afterSequence', 'limit'])
    const limit = checkWhole(this.name, 'limit', options.limit ?? 10, 1, 10_000)
    return this.store.peekMessages(this.name, options.afterSequence ?? 0, limit)
  }

  /** Visible, in-flight and delayed counts. */
  async depth(): Promise<QueueDepth> {
    return this.store.queueDepth(this.name)
  }

  /** Counts, the age of the oldest message, and the queue's attributes. */
  async attributes(): Promise<QueueAttributes> {
    const depth = await this.depth()
    const ageMs = depth.oldestSentAtMs === null ? null : Date.now() - depth.oldestSentAtMs
    return {
      queue: this.name,
      ...depth,
      oldestMessageAgeSeconds: ageMs === null ? null : Math.max(0, Math.floor(ageMs / 1000)),
      definition: this.#row,
    }
  }

  #visibilityMs(seconds: number | undefined): number {
    if (seconds === undefined) return this.#row.visibilityTimeoutMs
    return (
      checkWhole(
        this.name,
        'visibilityTimeoutSeconds',
        seconds,
        0,
        queueLimits.maxVisibilityTimeoutSeconds,
      ) * 1000
    )
  }
}

function toReceived(message: StoredMessage): ReceivedMessage {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    md5OfBody: message.md5OfBody,
    messageAttributes: parseAttributes(message.attributes),
    md5OfMessageAttributes: md5OfAttributes(message.attributes),
    receiveCount: message.receiveCount,
    firstReceivedAtMs: message.firstReceivedAtMs,
    sentAtMs: message.sentAtMs,
    messageGroupId: message.groupId,
    deadLetterSourceQueue: message.sourceQueue,
  }
}

function toFailure(id: string, error: unknown): BatchFailure {
  const code = (error as { code?: unknown })?.code
  return {
    id,
    code: typeof code === 'string' ? code : 'EDDY_INTERNAL',
    message: error instanceof Error ? error.message : String(error),
  }
}
