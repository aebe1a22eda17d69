/**
 * Reprocessing: take dead letters from a queue and run each record through its consumer's record
 * handler again, by the same entry point as live delivery. A message is deleted only after its
 * handler succeeded; a failure leaves it (hidden for the visibility timeout, its receive count
 * grown); a message that is not a valid dead letter is reported and left, never deleted.
 */
import { ValidationError, describe } from '../errors.ts'
import { invokeRecordHandler, type ResolvedConsumer } from '../consumers/index.ts'
import { logFields, type Logger } from '../observe/logger.ts'
import type { Store, StoredMessage } from '../store/index.ts'
import { parseDeadLetter } from './dead-letter.ts'

export interface ReprocessOptions {
  /** Stop after this many messages. Default: until the queue has no visible message. */
  limit?: number
  /** Run every message through this consumer instead of the one named in the message. */
  consumer?: string
  /**
   * How long a message that failed again stays hidden, in seconds: 1 to 43,200, default 30.
   * A run skips messages it has already tried, so a short timeout costs receives, not reruns.
   */
  visibilityTimeoutSeconds?: number
  /** Called after each message, for progress output. */
  onMessage?: (result: ReprocessedMessage) => void
}

export type ReprocessResult = 'reprocessed' | 'failed' | 'malformed' | 'no-consumer'

/** What happened to one message. */
export interface ReprocessedMessage {
  messageId: string
  result: ReprocessResult
  consumer?: string
  sequenceNumber?: string
  error?: string
}

export interface ReprocessSummary {
  queue: string
  reprocessed: number
  failed: number
  malformed: number
  noConsumer: number
  /** Messages still in the queue (visible or hidden) when the run ended. */
  left: number
  messages: ReprocessedMessage[]
}

export async function reprocess(
  store: Store,
  queue: string,
  consumers: Map<string, ResolvedConsumer>,
  log: Logger,
  options: ReprocessOptions = {},
): Promise<ReprocessSummary> {
  const hideMs = reprocessVisibilityMs(queue, options.visibilityTimeoutSeconds ?? 30)
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const messages: ReprocessedMessage[] = []
  const tried = new Set<string>()

  while (messages.length < limit) {
    const max = Math.min(10, limit - messages.length)
    const received = await store.write((tx) => tx.receiveMessages(queue, max, hideMs))
    const fresh = received.filter((message) => !tried.has(message.messageId))
    // Only messages this run already tried came back (their timeout ran out): the run is done.
    if (fresh.length === 0) break

    for (const message of fresh) {
      tried.add(message.messageId)
      const result = await reprocessOne(store, queue, message, consumers, log, options.consumer)
      messages.push(result)
      options.onMessage?.(result)
    }
  }

  const depth = await store.queueDepth(queue)
  const count = (result: ReprocessResult) => messages.filter((m) => m.result === result).length
  return {
    queue,
    reprocessed: count('reprocessed'),
    failed: count('failed'),
    malformed: count('malformed'),
    noConsumer: count('no-consumer'),
    left: depth.visible + depth.inFlight,
    messages,
  }
}

function reprocessVisibilityMs(queue: string, seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 43_200) {
    throw new ValidationError(
      `Reprocess of queue "${queue}": visibility timeout ${describe(seconds)} is out of range; ` +
        'expected whole seconds from 1 to 43,200',
    )
  }
  return seconds * 1000
}

async function reprocessOne(
  store: Store,
  queue: string,
  message: StoredMessage,
  consumers: Map<string, ResolvedConsumer>,
  log: Logger,
  consumerOverride: string | undefined,
): Promise<ReprocessedMessage> {
  const messageLog = log.child({ [logFields.queue]: queue, messageId: message.messageId })
  const parsed = parseDeadLetter(message.body)
  if ('problem' in parsed) {
    messageLog.warn({ problem: parsed.problem }, 'message is not a dead letter; left in the queue')
    return { messageId: message.messageId, result: 'malformed', error: parsed.problem }
  }

  const { record, origin, attempts } = parsed.deadLetter
  const name = consumerOverride ?? origin.consumer
  const consumer = consumers.get(name)
  const base = {
    messageId: message.messageId,
    consumer: name,
    sequenceNumber: record.sequenceNumber,
  }
  if (!consumer) {
    messageLog.warn({ consumer: name }, 'no such consumer in the config; message left in the queue')
    return { ...base, result: 'no-consumer', error: `no consumer named "${name}"` }
  }

  const error = await invokeRecordHandler(consumer, record, attempts + message.receiveCount, log)
  if (error) {
    messageLog.warn({ err: error }, 'reprocessed record failed again; message left in the queue')
    return { ...base, result: 'failed', error: `${error.name}: ${error.message}` }
  }

  await store.write((tx) => tx.deleteMessage(queue, message.receiptHandle))
  return { ...base, result: 'reprocessed' }
}
