/**
 * Pacing for long queue jobs (reprocess, move): at most `ratePerSecond` starts a second and at
 * most `concurrency` tasks at once. Used by reprocess and move, so both throttle the same way.
 */
import { ValidationError, describe } from '../errors.ts'

export class Pace {
  readonly #intervalMs: number
  #nextStartMs = 0
  #running = 0
  #waiting: (() => void)[] = []
  #error: unknown = null

  constructor(
    ratePerSecond: number | undefined,
    private readonly concurrency = 1,
  ) {
    if (ratePerSecond !== undefined && !(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) {
      throw new ValidationError(
        `Rate is ${describe(ratePerSecond)}: expected a positive number of messages per second`,
      )
    }
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
      throw new ValidationError(
        `Concurrency is ${describe(concurrency)}: expected a whole number from 1 to 100`,
      )
    }
    this.#intervalMs = ratePerSecond ? 1000 / ratePerSecond : 0
  }

  /** Waits for a free slot and for the rate, then runs `task` without waiting for it to end. */
  async start(task: () => Promise<void>): Promise<void> {
    while (this.#running >= this.concurrency) await new Promise<void>((r) => this.#waiting.push(r))
    this.#running++

    const nowMs = Date.now()
    const startMs = Math.max(nowMs, this.#nextStartMs)
    this.#nextStartMs = startMs + this.#intervalMs
    if (startMs > nowMs) await new Promise((resolve) => setTimeout(resolve, startMs - nowMs))

    void task()
      .catch((error: unknown) => {
        this.#error ??= error
      })
      .finally(() => {
        this.#running--
        this.#waiting.shift()?.()
      })
  }

  /** Waits until every started task has ended; rethrows the first error a task threw. */
  async idle(): Promise<void> {
    while (this.#running > 0) await new Promise<void>((r) => this.#waiting.push(r))
    if (this.#error) throw this.#error
  }
}
