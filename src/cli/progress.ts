/**
 * A progress bar for long commands, on standard error, only on a terminal and never with --json,
 * so that scripts and pipes see clean output.
 */
import { Presets, SingleBar } from 'cli-progress'

/** A progress bar, or a silent stand-in when there is no terminal. */
export interface Progress {
  start(total: number): void
  /** Counts one unit done; `label` is the outcome shown beside the bar. */
  increment(label?: string): void
  stop(): void
}

/** A bar titled `title` when standard error is a terminal and `json` is off; otherwise silent. */
export function createProgress(title: string, json: boolean | undefined): Progress {
  if (json || !process.stderr.isTTY) return { start() {}, increment() {}, stop() {} }
  const bar = new SingleBar(
    {
      format: `${title} [{bar}] {value}/{total} {label}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  )
  let total = 0
  return {
    start(count) {
      total = count
      bar.start(count, 0, { label: '' })
    },
    increment(label = '') {
      // The queue may have grown since the count; the bar grows with it.
      if (bar.getProgress() * total + 1 > total) bar.setTotal(++total)
      bar.increment(1, { label })
    },
    stop() {
      bar.stop()
    },
  }
}

/** An AbortSignal fired by the first Ctrl-C (SIGINT) or SIGTERM; the second one exits at once. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130)
    process.stderr.write('\nstopping after the messages in progress (again to quit at once)\n')
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
