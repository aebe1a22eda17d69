/**
 * Structured logging through pino. The core never prints: it takes a `Logger` and calls it with
 * a message and fields named from `logFields`. On a terminal lines are pretty-printed; otherwise
 * they are JSON, one per line. Fields that look like secrets are redacted wherever they appear.
 */
import pino from 'pino'
import pretty from 'pino-pretty'
import { redactSecrets } from './redact.ts'

export type Logger = pino.Logger
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug'

/** The field names every line about a record or a queue uses. */
export const logFields = {
  stream: 'stream',
  shard: 'shard',
  sequenceNumber: 'sequenceNumber',
  consumer: 'consumer',
  queue: 'queue',
  error: 'err',
} as const

export interface LoggerOptions {
  /** Default `warn`: quiet unless something needs attention. */
  level?: LogLevel
  /** Where lines go; default standard error. */
  destination?: NodeJS.WritableStream
  /** Pretty lines instead of JSON; default: when the destination is a terminal. */
  pretty?: boolean
}

/** Creates the root logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr
  const isTerminal = (destination as NodeJS.WriteStream).isTTY === true
  const stream =
    (options.pretty ?? isTerminal)
      ? pretty({ destination, sync: true, colorize: isTerminal, ignore: 'pid,hostname' })
      : destination
  const redact = (fields: object) => redactSecrets(fields) as Record<string, unknown>
  return redactChildBindings(
    pino({ level: options.level ?? 'warn', formatters: { log: redact } }, stream),
  )
}

/**
 * pino passes a child's bindings to no formatter, so they are censored on their way in. pino
 * makes a child with the parent as its prototype: the root's `child` serves every descendant,
 * called with the descendant as `this`, so that a grandchild keeps its parent's bindings.
 */
function redactChildBindings(logger: Logger): Logger {
  const pinoChild = logger.child as unknown as (
    this: Logger,
    bindings: pino.Bindings,
    options?: pino.ChildLoggerOptions,
  ) => Logger
  const redacted = function (
    this: Logger,
    bindings: pino.Bindings,
    options?: pino.ChildLoggerOptions,
  ) {
    return pinoChild.call(this, redactSecrets(bindings) as pino.Bindings, options)
  }
  logger.child = redacted as unknown as Logger['child']
  return logger
}
