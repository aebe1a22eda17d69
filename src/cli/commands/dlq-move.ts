/** `eddy dlq move QUEUE [--to QUEUE]`: move messages back to their source queue or to another. */
import type { MovedMessage } from '../../store/index.ts'
import { printJson, withEddy, type CommonOptions } from '../context.ts'
import { createProgress, interruptSignal } from '../progress.ts'

export interface DlqMoveOptions extends CommonOptions {
  to?: string
  rate?: number
  limit?: number
}

export async function dlqMoveCommand(queue: string, options: DlqMoveOptions): Promise<void> {
  return withEddy(options, async (eddy) => {
    const progress = createProgress(`moving ${queue}`, options.json)
    const interrupt = interruptSignal()
    try {
      const summary = await eddy.move(queue, {
        to: options.to,
        ratePerSecond: options.rate,
        limit: options.limit,
        signal: interrupt.signal,
        onStart: (visible) => progress.start(visible),
        onMessage: (m: MovedMessage) => progress.increment(m.problem ? 'left' : `to ${m.to}`),
      })
      progress.stop()
      if (options.json) return printJson(summary)

      for (const m of summary.messages.filter((message) => message.problem)) {
        process.stdout.write(`left       message ${m.messageId}: ${m.problem}\n`)
      }
      process.stdout.write(
        `queue ${queue}: ${summary.moved} moved${summary.to ? ` to ${summary.to}` : ' to their source queues'}, ` +
          `${summary.notMoved} left without a destination, ${summary.left} still in the queue` +
          `${summary.cancelled ? ' (cancelled)' : ''}\n`,
      )
      if (summary.notMoved > 0) process.exitCode = 1
    } finally {
      progress.stop()
      interrupt.dispose()
    }
  })
}
