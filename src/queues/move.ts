/**
 * Moving messages out of a queue, as SQS message move tasks do: back to the queue each came from
 * (for messages a redrive policy moved) or to any named queue. A moved message is a new message:
 * new message id, receive count 0, retention from the move. Only visible messages move; each
 * batch of up to 10 moves in one transaction, so a stopped or killed move loses nothing.
 */
import type { MovedMessage, Store } from '../store/index.ts'
import { Pace } from './pace.ts'

export interface MoveOptions {
  /** Destination of every message. Default: the queue each message was redriven from. */
  to?: string
  /** At most this many messages a second. Default: no limit. */
  ratePerSecond?: number
  /** Move at most this many messages. Default: all visible ones. */
  limit?: number
  /** Called once before the first batch with the number of visible messages. */
  onStart?: (visible: number) => void
  /** Called after each message moved or left. */
  onMessage?: (message: MovedMessage) => void
  /** Cancels the move after the batch in progress. */
  signal?: AbortSignal
}

export interface MoveSummary {
  queue: string
  to: string | null
  moved: number
  /** Messages left where they were, with the reason in `messages`. */
  notMoved: number
  cancelled: boolean
  /** Messages still in the queue when the move ended. */
  left: number
  messages: MovedMessage[]
}

/** Moves the visible messages of `queue`; see the module comment. */
export async function moveMessages(
  store: Store,
  queue: string,
  options: MoveOptions = {},
): Promise<MoveSummary> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  // About ten batches a second under a rate, so that the rate is smooth and a cancel is prompt.
  const batchSize = options.ratePerSecond ? Math.min(10, Math.ceil(options.ratePerSecond / 10)) : 10
  const pace = new Pace(options.ratePerSecond && options.ratePerSecond / batchSize)
  const messages: MovedMessage[] = []
  options.onStart?.((await store.queueDepth(queue)).visible)

  for (let after = 0, done = false; !done && !options.signal?.aborted && messages.length < limit;) {
    const max = Math.min(batchSize, limit - messages.length)
    await pace.start(async () => {
      const batch = await store.write((tx) =>
        tx.moveMessages(queue, options.to ?? null, after, max),
      )
      for (const message of batch) options.onMessage?.(message)
      messages.push(...batch)
      after = batch.at(-1)?.sequence ?? after
      done = batch.length === 0
    })
    await pace.idle()
  }

  const depth = await store.queueDepth(queue)
  const moved = messages.filter((m) => m.newMessageId !== null).length
  return {
    queue,
    to: options.to ?? null,
    moved,
    notMoved: messages.length - moved,
    cancelled: options.signal?.aborted === true,
    left: depth.visible + depth.inFlight + depth.delayed,
    messages,
  }
}
