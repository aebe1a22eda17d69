/**
 * Reading an alarm's metric from a status snapshot. Counters (`errors`, `deadLettered`,
 * `expiredRecords`) are stored totals; the monitor turns them into per-period increases. Every
 * value is read from the store, so any process sees the same numbers.
 */
import type { StatusReport } from '../status.ts'
import type { ResolvedAlarm } from './definition.ts'

/** What a metric is: a total that grows (a counter) or a value at one moment (a gauge). */
export function isCounter(alarm: ResolvedAlarm): boolean {
  return ['errors', 'deadLettered', 'expiredRecords'].includes(alarm.metric)
}

/** The metric's value in `status`; null when it is absent (an idle consumer has no age). */
export function sampleMetric(alarm: ResolvedAlarm, status: StatusReport): number | null {
  if (alarm.queue !== null) {
    const queue = status.queues.find((q) => q.queue === alarm.queue)
    if (!queue) return null
    return alarm.metric === 'queueDepth' ? queue.depth : (queue.oldestMessageAgeMs ?? 0)
  }

  const shards = status.consumers.filter(
    (c) => alarm.consumer === null || c.consumer === alarm.consumer,
  )
  if (alarm.metric === 'errors') return sum(shards.map((s) => s.errors))
  if (alarm.metric === 'deadLettered') return sum(shards.map((s) => s.deadLettered))
  if (alarm.metric === 'expiredRecords') return sum(shards.map((s) => s.expired))
  if (alarm.metric === 'iteratorAgeMs') {
    // Iterator age exists only while a shard has work: an idle or stopped shard reports none.
    const busy = shards.filter((s) => s.state === 'running' || s.state === 'retrying')
    return max(busy.map((s) => s.iteratorAgeMs))
  }
  return min(shards.map((s) => s.expiresInMs))
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}

function max(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null)
  return known.length === 0 ? null : Math.max(...known)
}

function min(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null)
  return known.length === 0 ? null : Math.max(0, Math.min(...known))
}
