/**
 * Queues: messages with a visibility timeout and a receive count, stored in the same database as
 * the tables, so a dead letter and the checkpoint that skips its record commit together.
 */
import { ValidationError, describe } from '../errors.ts'
import type { QueueDepth, Store, StoredMessage } from '../store/index.ts'
import { namePattern } from '../tables/definition.ts'

export { deadLetterFormat, parseDeadLetter, toDeadLetter, type DeadLetter } from './dead-letter.ts'

/** A queue as declared in the config or passed to `open`. */
export interface QueueDefinition {
  name: string
  /** How long a received message stays hidden, in seconds. Default 30, at most 43,200 (12 h). */
  visibilityTimeoutSeconds?: number
}

/** Body limit, as on SQS: 256 KB. */
export const maxBodyBytes = 256 * 1024
export const maxVisibilityTimeoutSeconds = 43_200

/** Checks a queue definition; throws a `ValidationError` that names the problem. */
export function defineQueue(definition: QueueDefinition): QueueDefinition {
  if (!namePattern.test(definition?.name ?? '')) {
    throw new ValidationError(
      `Queue name ${describe(definition?.name)} is not valid: use 1 to 255 letters, digits, "_", "-" or "."`,
    )
  }
  visibilityTimeoutMs(definition.name, definition.visibilityTimeoutSeconds ?? 30)
  return definition
}

function visibilityTimeoutMs(queue: string, seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxVisibilityTimeoutSeconds) {
    throw new ValidationError(
      `Visibility timeout of queue "${queue}" is ${describe(seconds)}: expected whole seconds ` +
        `from 0 to ${maxVisibilityTimeoutSeconds}`,
    )
  }
  return seconds * 1000
}

/** A queue bound to a store. Get one with `eddy.queue(name)`. */
export class Queue {
  readonly #defaultVisibilityMs: number

  constructor(
    private readonly store: Store,
    readonly definition: QueueDefinition,
  ) {
    this.#defaultVisibilityMs = visibilityTimeoutMs(
      definition.name,
      definition.visibilityTimeoutSeconds ?? 30,
    )
  }

  get name(): string {
    return this.definition.name
  }

  /** Sends one message; returns its message id. */
  async send(body: string): Promise<string> {
    if (typeof body !== 'string') {
      throw new ValidationError(
        `Message for queue "${this.name}" must be a string, got ${describe(body)}`,
      )
    }
    const sizeBytes = Buffer.byteLength(body)
    if (sizeBytes > maxBodyBytes) {
      throw new ValidationError(
        `Message for queue "${this.name}" is ${sizeBytes} bytes, over the limit of ${maxBodyBytes}`,
      )
    }
    return this.store.write((tx) => tx.sendMessage(this.name, body))
  }

  /** Receives up to `max` (1 to 10) visible messages and hides them for the visibility timeout. */
  async receive(
    options: { max?: number; visibilityTimeoutSeconds?: number } = {},
  ): Promise<StoredMessage[]> {
    const max = options.max ?? 1
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw new ValidationError(
        `Receive from queue "${this.name}": max is ${describe(max)}, expected 1 to 10`,
      )
    }
    const hideMs =
      options.visibilityTimeoutSeconds === undefined
        ? this.#defaultVisibilityMs
        : visibilityTimeoutMs(this.name, options.visibilityTimeoutSeconds)
    return this.store.write((tx) => tx.receiveMessages(this.name, max, hideMs))
  }

  /** Deletes a received message; false when the receipt handle is stale (it was received again). */
  async delete(receiptHandle: string): Promise<boolean> {
    return this.store.write((tx) => tx.deleteMessage(this.name, receiptHandle))
  }

  /** Visible and in-flight message counts. */
  async depth(): Promise<QueueDepth> {
    return this.store.queueDepth(this.name)
  }
}
