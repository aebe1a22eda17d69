/**
 * Reprocessing: run dead letters through a consumer's record handler again, by the same entry
 * point as live delivery, and delete each message after its handler succeeded.
 *
 * One run makes one pass over the queue in sending order. It peeks (reads without receiving),
 * so a message that is not a valid dead letter, or that the filter leaves out, is never received,
 * hidden or deleted: it is reported and left. A message it runs is first received by its id
 * (hidden for the visibility timeout, its receive count grown, and subject to the redrive policy
 * of the queue itself), then deleted on success, or left hidden on failure.
 *
 * A run that is stopped (signal) or killed loses nothing: a message is deleted only after its
 * handler succeeded, so once its delete committed it never runs again; one killed while its
 * handler ran becomes visible again when its visibility timeout ends and runs in the next run.
 *
 * Known shortcoming: a message whose handler fails is not tried again in the same run (it is
 * hidden for the visibility timeout); run reprocess again to retry it. On a FIFO dead-letter
 * queue, order per message group holds only with concurrency 1.
 */
import { invokeRecordHandler, type ResolvedConsumer } from '../consumers/index.ts'
import { logFields, type Logger } from '../observe/logger.ts'
import type { PeekedMessage, Store, StoredMessage } from '../store/index.ts'
import type { DeadLetter } from './dead-letter.ts'
import { Pace } from './pace.ts'
import { select, type ReprocessFilter } from './reprocess-select.ts'

export type { ReprocessFilter } from './reprocess-select.ts'

export interface ReprocessOptions {
  /** Run at most this many messages through a handler. Default: every matching message. */
  limit?: number
  /** Run every message through this consumer instead of the one named in the message. */
  consumer?: string
  /** At most this many handler starts a second. Default: no limit. */
  ratePerSecond?: number
  /** Handlers running at once, 1 to 100. Default 1. */
  concurrency?: number
  /** Report what would run and through which consumer; receive and delete nothing. */
  dryRun?: boolean
  filter?: ReprocessFilter
  /** How long a message stays hidden while its handler runs and after it failed, in seconds. Default 30. */
  visibilityTimeoutSeconds?: number
  /** Called once before the first message with the number of messages visible in the queue. */
  onStart?: (visible: number) => void
  /** Called after each message, for progress output. */
  onMessage?: (result: ReprocessedMessage) => void
  /** Stops the run: no new message starts; running handlers finish and their messages settle. */
  signal?: AbortSignal
}

/**
 * `reprocessed` (handler succeeded, message deleted), `failed` (handler failed again, message
 * left), `malformed` (not a dead letter; left), `no-consumer` (names no known consumer; left),
 * `would-run` (dry run), `unavailable` (received by someone else or redriven meanwhile).
 */
export type ReprocessResult =
  'reprocessed' | 'failed' | 'malformed' | 'no-consumer' | 'would-run' | 'unavailable'

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
  dryRun: boolean
  reprocessed: number
  failed: number
  malformed: number
  noConsumer: number
  wouldRun: number
  unavailable: number
  /** Messages the filter left out (not reported one by one). */
  filteredOut: number
  /** Messages still in the queue (visible, in flight or delayed) when the run ended. */
  left: number
  /**
   * Of those, messages hidden when the run ended (received and not deleted, such as one that
   * failed a moment ago, or delayed): a run skips them, and the next run after their visibility
   * timeout tries them.
   */
  hidden: number
  messages: ReprocessedMessage[]
}

interface Run {
  store: Store
  queue: string
  consumers: Map<string, ResolvedConsumer>
  log: Logger
  options: ReprocessOptions
  hideMs: number
  pace: Pace
  messages: ReprocessedMessage[]
  started: number
  filteredOut: number
}

const pageSize = 100

export async function reprocess(
  store: Store,
  queue: string,
  consumers: Map<string, ResolvedConsumer>,
  log: Logger,
  options: ReprocessOptions = {},
): Promise<ReprocessSummary> {
  const hideMs = (options.visibilityTimeoutSeconds ?? 30) * 1000
  const pace = new Pace(options.ratePerSecond, options.concurrency ?? 1)
  const run: Run = {
    store,
    queue,
    consumers,
    log,
    options,
    hideMs,
    pace,
    messages: [],
    started: 0,
    filteredOut: 0,
  }
  options.onStart?.((await store.queueDepth(queue)).visible)

  for (let after = 0; !isDone(run);) {
    const page = await store.peekMessages(queue, after, pageSize)
    if (page.length === 0) break
    for (const message of page) {
      if (isDone(run)) break
      after = message.sequence
      if (message.visibleAtMs <= Date.now()) await visit(run, message)
    }
  }
  await pace.idle()
  return summarize(run, await store.queueDepth(queue))
}

function isDone(run: Run): boolean {
  return (
    run.options.signal?.aborted === true ||
    run.started >= (run.options.limit ?? Number.POSITIVE_INFINITY)
  )
}

async function visit(run: Run, message: PeekedMessage): Promise<void> {
  const { options } = run
  const choice = select(message, run.consumers, options.consumer, options.filter ?? {})
  const base = { messageId: message.messageId }
  const log = run.log.child({ [logFields.queue]: run.queue, messageId: message.messageId })

  if (choice.kind === 'filtered') {
    run.filteredOut++
    return
  }
  if (choice.kind === 'malformed') {
    log.warn({ problem: choice.problem }, 'message is not a dead letter; left in the queue')
    return report(run, { ...base, result: 'malformed', error: choice.problem })
  }

  const where = { ...base, sequenceNumber: choice.deadLetter.record.sequenceNumber }
  if (choice.kind === 'no-consumer') {
    log.warn(
      { consumer: choice.consumer },
      'no such consumer in the config; message left in the queue',
    )
    return report(run, {
      ...where,
      consumer: choice.consumer,
      result: 'no-consumer',
      error: `no consumer named "${choice.consumer}"`,
    })
  }
  run.started++
  if (options.dryRun)
    return report(run, { ...where, consumer: choice.consumer.name, result: 'would-run' })

  await run.pace.start(() => runOne(run, message.messageId, choice.consumer, choice.deadLetter))
}

async function runOne(
  run: Run,
  messageId: string,
  consumer: ResolvedConsumer,
  letter: DeadLetter,
): Promise<void> {
  // A stop that came while this message waited for a free slot: it does not start.
  if (run.options.signal?.aborted) return
  const where = { messageId, consumer: consumer.name, sequenceNumber: letter.record.sequenceNumber }
  const log = run.log.child({ [logFields.queue]: run.queue, messageId })
  const claimed = await claim(run, messageId)
  if (!claimed) return report(run, { ...where, result: 'unavailable' })

  const error = await invokeRecordHandler(
    consumer,
    letter.record,
    letter.attempts + claimed.receiveCount,
    run.log,
  )
  if (error) {
    log.warn({ err: error }, 'reprocessed record failed again; message left in the queue')
    return report(run, { ...where, result: 'failed', error: `${error.name}: ${error.message}` })
  }

  // The handler outlived the visibility timeout and someone received the message again: it
  // will run once more there. Raise visibilityTimeoutSeconds above the handler's longest run.
  const outcome = await run.store.write((tx) => tx.deleteMessage(run.queue, claimed.receiptHandle))
  if (outcome === 'stale')
    log.warn('handler succeeded after the visibility timeout; the message was received again')
  report(run, { ...where, result: 'reprocessed' })
}

/** Receives one message by id; null when it is no longer visible or was redriven. */
async function claim(run: Run, messageId: string): Promise<StoredMessage | null> {
  const request = { max: 1, visibilityTimeoutMs: run.hideMs, messageIds: [messageId] }
  const [message] = await run.store.write((tx) => tx.receiveMessages(run.queue, request))
  return message ?? null
}

function report(run: Run, result: ReprocessedMessage): void {
  run.messages.push(result)
  run.options.onMessage?.(result)
}

function summarize(
  run: Run,
  depth: { visible: number; inFlight: number; delayed: number },
): ReprocessSummary {
  const count = (result: ReprocessResult) => run.messages.filter((m) => m.result === result).length
  return {
    queue: run.queue,
    dryRun: run.options.dryRun === true,
    reprocessed: count('reprocessed'),
    failed: count('failed'),
    malformed: count('malformed'),
    noConsumer: count('no-consumer'),
    wouldRun: count('would-run'),
    unavailable: count('unavailable'),
    filteredOut: run.filteredOut,
    left: depth.visible + depth.inFlight + depth.delayed,
    hidden: depth.inFlight + depth.delayed,
    messages: run.messages,
  }
}
