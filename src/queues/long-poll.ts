/**
 * Long polling: a receive that finds nothing waits until a message may be there, then tries
 * again, until its wait time ends. It never polls on a timer: it sleeps until the store announces
 * a send to the queue (at once in this process, within the store's poll interval from another),
 * or until the earliest hidden message becomes visible, or until the wait time ends; and it checks
 * with a cheap read before it writes another receive.
 */
import type { Store } from '../store/index.ts'

/** Runs `attempt` until it finds something or `deadlineMs` passes, sleeping in between. */
export async function pollUntil<T>(
  store: Store,
  queue: string,
  deadlineMs: number,
  attempt: () => Promise<T[]>,
): Promise<T[]> {
  // Short polling (no wait time) needs no listener.
  if (deadlineMs <= Date.now()) return attempt()

  const wakeUp = new WakeUp()
  const unsubscribe = store.onQueueSend((name) => {
    if (name === null || name === queue) wakeUp.signal()
  })
  try {
    for (;;) {
      const found = await attempt()
      if (found.length > 0 || Date.now() >= deadlineMs) return found
      await waitForVisible(store, queue, deadlineMs, wakeUp)
    }
  } finally {
    unsubscribe()
  }
}

async function waitForVisible(store: Store, queue: string, deadlineMs: number, wakeUp: WakeUp) {
  for (;;) {
    wakeUp.reset()
    const visibleAtMs = (await store.earliestVisibleAtMs(queue)) ?? Number.POSITIVE_INFINITY
    const nowMs = Date.now()
    if (visibleAtMs <= nowMs || nowMs >= deadlineMs) return
    await wakeUp.sleep(Math.min(deadlineMs, visibleAtMs) - nowMs)
  }
}

/** A sleep that a signal ends early; a signal that comes before the sleep is kept. */
class WakeUp {
  #signalled = false
  #wake: (() => void) | null = null

  signal(): void {
    this.#signalled = true
    this.#wake?.()
  }

  reset(): void {
    this.#signalled = false
  }

  sleep(ms: number): Promise<void> {
    if (this.#signalled) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }
}
