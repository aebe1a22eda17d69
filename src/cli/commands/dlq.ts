/** `eddy dlq reprocess QUEUE`: run dead letters through a consumer's record handler again. */
import { InvalidArgumentError } from 'commander'
import type {
  ReprocessedMessage,
  ReprocessOptions,
  ReprocessSummary,
} from '../../queues/reprocess.ts'
import { printJson, withEddy, type CommonOptions } from '../context.ts'
import { createProgress, interruptSignal } from '../progress.ts'

export interface ReprocessCommandOptions extends CommonOptions {
  consumer?: string
  limit?: number
  rate?: number
  concurrency?: number
  dryRun?: boolean
  error?: string
  fromConsumer?: string
  key?: Record<string, string>
  since?: number
  until?: number
  visibilityTimeout?: number
}

/** Parses `--key name=value`, repeatable, into one object. */
export function keyOption(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const match = /^([^=]+)=(.*)$/.exec(value)
  if (!match?.[1]) throw new InvalidArgumentError('expected name=value, such as --key year=2013')
  return { ...previous, [match[1]]: match[2] ?? '' }
}

/** Parses a time: ISO 8601, or a duration ago such as 30m, 2h, 1d. */
export function timeOption(value: string): number {
  const ago = /^(\d+)([smhd])$/.exec(value)
  if (ago)
    return (
      Date.now() -
      Number(ago[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's']
    )
  const ms = Date.parse(value)
  if (Number.isNaN(ms))
    throw new InvalidArgumentError('expected an ISO 8601 time or a duration ago (30m, 2h, 1d)')
  return ms
}

function describeMessage(message: ReprocessedMessage): string {
  const where = message.sequenceNumber ? ` record ${message.sequenceNumber}` : ''
  const who = message.consumer ? ` via ${message.consumer}` : ''
  const why = message.error ? `: ${message.error}` : ''
  return `${message.result.padEnd(11)} message ${message.messageId}${where}${who}${why}`
}

function describeSummary(queue: string, s: ReprocessSummary): string {
  if (s.dryRun)
    return `queue ${queue} (dry run): ${s.wouldRun} would run, ${s.malformed} not dead letters, ${s.noConsumer} without a consumer, ${s.filteredOut} filtered out\n`
  return (
    `queue ${queue}: ${s.reprocessed} reprocessed, ${s.failed} failed again, ${s.left} left in the queue, ` +
    `${s.malformed} skipped as not dead letters, ${s.noConsumer} without a consumer, ` +
    `${s.unavailable} taken meanwhile, ${s.filteredOut} filtered out\n` +
    (s.hidden > 0
      ? `${s.hidden} of the messages left are hidden (received lately or delayed) and were ` +
        'skipped: run again once their visibility timeout ends\n'
      : '')
  )
}

export async function reprocessCommand(
  queue: string,
  options: ReprocessCommandOptions,
): Promise<void> {
  return withEddy(options, async (eddy) => {
    const progress = createProgress(`reprocessing ${queue}`, options.json)
    const interrupt = interruptSignal()
    // With a bar, only the messages that need attention are listed; without one, every message.
    const listAll = !options.json && !process.stderr.isTTY
    const reprocessOptions: ReprocessOptions = {
      consumer: options.consumer,
      limit: options.limit,
      ratePerSecond: options.rate,
      concurrency: options.concurrency,
      dryRun: options.dryRun,
      visibilityTimeoutSeconds: options.visibilityTimeout,
      filter: {
        errorContains: options.error,
        consumer: options.fromConsumer,
        key: options.key,
        failedAfterMs: options.since,
        failedBeforeMs: options.until,
      },
      signal: interrupt.signal,
      onStart: (visible) =>
        progress.start(options.limit ? Math.min(options.limit, visible) : visible),
      onMessage: (m) => {
        progress.increment(m.result)
        if (options.dryRun || listAll || (!options.json && m.result !== 'reprocessed')) {
          process.stdout.write(`${describeMessage(m)}\n`)
        }
      },
    }
    try {
      const summary = await eddy.reprocess(queue, reprocessOptions)
      progress.stop()
      if (options.json) return printJson(summary)
      process.stdout.write(describeSummary(queue, summary))
      // Messages that are not dead letters are reported and left; they are not a failed run.
      if (summary.failed + summary.noConsumer > 0) process.exitCode = 1
    } finally {
      progress.stop()
      interrupt.dispose()
    }
  })
}
