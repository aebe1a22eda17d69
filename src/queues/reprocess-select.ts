/**
 * Which dead letters a reprocess runs: parse each peeked message, apply the filter, and find the
 * consumer whose record handler it goes to. Nothing here receives or changes a message.
 */
import type { ResolvedConsumer } from '../consumers/index.ts'
import type { PeekedMessage } from '../store/index.ts'
import { parseDeadLetter, type DeadLetter } from './dead-letter.ts'

/** Which dead letters to run; a message must match every field given. */
export interface ReprocessFilter {
  /** Text the error's name or message contains (case-insensitive). */
  errorContains?: string
  /** The consumer named in the dead letter. */
  consumer?: string
  /** Key attributes the record's keys must have, compared as text: `{ year: 2013 }`. */
  key?: Record<string, unknown>
  /** Only dead letters whose last failure is at or after this time, in ms since the epoch. */
  failedAfterMs?: number
  /** Only dead letters whose last failure is before this time, in ms since the epoch. */
  failedBeforeMs?: number
}

/** What to do with one peeked message. */
export type Selection =
  | { kind: 'malformed'; problem: string }
  | { kind: 'filtered' }
  | { kind: 'no-consumer'; deadLetter: DeadLetter; consumer: string }
  | { kind: 'run'; deadLetter: DeadLetter; consumer: ResolvedConsumer }

/** Decides what a reprocess does with a message. */
export function select(
  message: PeekedMessage,
  consumers: Map<string, ResolvedConsumer>,
  consumerOverride: string | undefined,
  filter: ReprocessFilter,
): Selection {
  const parsed = parseDeadLetter(message.body)
  if ('problem' in parsed) return { kind: 'malformed', problem: parsed.problem }

  const { deadLetter } = parsed
  if (!matches(deadLetter, filter)) return { kind: 'filtered' }

  const name = consumerOverride ?? deadLetter.origin.consumer
  const consumer = consumers.get(name)
  if (!consumer) return { kind: 'no-consumer', deadLetter, consumer: name }
  return { kind: 'run', deadLetter, consumer }
}

function matches(letter: DeadLetter, filter: ReprocessFilter): boolean {
  const error = `${letter.error.name}: ${letter.error.message}`.toLowerCase()
  if (filter.errorContains && !error.includes(filter.errorContains.toLowerCase())) return false
  if (filter.consumer && letter.origin.consumer !== filter.consumer) return false

  const failedAtMs = Date.parse(letter.lastFailedAt)
  if (filter.failedAfterMs !== undefined && !(failedAtMs >= filter.failedAfterMs)) return false
  if (filter.failedBeforeMs !== undefined && !(failedAtMs < filter.failedBeforeMs)) return false

  const keys = letter.record.keys
  return Object.entries(filter.key ?? {}).every(
    ([name, value]) => String(keys[name]) === String(value),
  )
}
