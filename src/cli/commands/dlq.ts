/** `eddy dlq ...`: work on dead-letter queues. */
import type { ReprocessedMessage } from '../../queues/reprocess.ts'
import { openFromCli, printJson, type CommonOptions } from '../context.ts'

export interface ReprocessCommandOptions extends CommonOptions {
  consumer?: string
  limit?: number
}

function describeMessage(message: ReprocessedMessage): string {
  const where = message.sequenceNumber ? ` record ${message.sequenceNumber}` : ''
  const who = message.consumer ? ` via ${message.consumer}` : ''
  const why = message.error ? `: ${message.error}` : ''
  return `${message.result.padEnd(11)} message ${message.messageId}${where}${who}${why}`
}

export async function reprocessCommand(
  queue: string,
  options: ReprocessCommandOptions,
): Promise<void> {
  const eddy = await openFromCli(options)
  try {
    const summary = await eddy.reprocess(queue, {
      consumer: options.consumer,
      limit: options.limit,
      onMessage: options.json ? undefined : (m) => process.stdout.write(`${describeMessage(m)}\n`),
    })
    if (options.json) return printJson(summary)

    process.stdout.write(
      `queue ${queue}: ${summary.reprocessed} reprocessed, ${summary.failed} failed again, ` +
        `${summary.malformed} not dead letters, ${summary.noConsumer} without a consumer, ` +
        `${summary.left} left in the queue\n`,
    )
    if (summary.failed + summary.malformed + summary.noConsumer > 0) process.exitCode = 1
  } finally {
    await eddy.close()
  }
}
