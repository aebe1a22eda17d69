/**
 * Consumer metrics, per consumer and shard, kept in memory by the process that runs the shard:
 * counters since start, the last iterator age and handler durations. `snapshot()` returns them
 * as plain objects; `prometheusText()` renders them in the Prometheus text format (the HTTP
 * server exposes that one function).
 */

/** Counters of one (consumer, shard) in this process since it started. */
export interface ShardMetrics {
  consumer: string
  shard: number
  /** Handler calls (one per record, or one per batch or bisected half). */
  invocations: number
  /** Records handed to the handler. */
  records: number
  /** Failed handler calls and failed records reported by batch handlers. */
  errors: number
  /** Full batches read: more records were waiting than one batch at this parallelization. */
  throttles: number
  /** Total time in the handler, in milliseconds. */
  durationMsTotal: number
  /** Age of the last record of the last batch when it was read, ms; null before a batch. */
  iteratorAgeMs: number | null
  deadLettered: number
  filteredOut: number
  /**
   * Records lost to retention before this consumer finished them: the stored count (all
   * processes), refreshed when this process notices a loss on a blocked shard.
   */
  expired: number
}

/** Every shard's metrics of one runner. */
export class ConsumerMetrics {
  readonly #shards = new Map<string, ShardMetrics>()

  /** The live counters of one (consumer, shard); created on first use. */
  shard(consumer: string, shard: number): ShardMetrics {
    const key = `${consumer}\u0000${shard}`
    let metrics = this.#shards.get(key)
    if (!metrics) {
      metrics = { consumer, shard, ...zeroCounters() }
      this.#shards.set(key, metrics)
    }
    return metrics
  }

  /** A copy of every shard's counters. */
  snapshot(): ShardMetrics[] {
    return [...this.#shards.values()].map((metrics) => ({ ...metrics }))
  }
}

function zeroCounters() {
  return {
    invocations: 0,
    records: 0,
    errors: 0,
    throttles: 0,
    durationMsTotal: 0,
    iteratorAgeMs: null,
    deadLettered: 0,
    filteredOut: 0,
    expired: 0,
  }
}

const counters: [keyof ShardMetrics, string, string][] = [
  ['invocations', 'eddy_consumer_invocations_total', 'Handler calls'],
  ['records', 'eddy_consumer_records_total', 'Records handed to the handler'],
  ['errors', 'eddy_consumer_errors_total', 'Failed handler calls and failed records'],
  [
    'throttles',
    'eddy_consumer_throttles_total',
    'Full batches read while parallelism was saturated',
  ],
  ['durationMsTotal', 'eddy_consumer_duration_milliseconds_total', 'Time spent in the handler'],
  ['deadLettered', 'eddy_consumer_dead_lettered_total', 'Records sent to the dead-letter queue'],
  ['filteredOut', 'eddy_consumer_filtered_out_total', 'Records a filter left out'],
  ['expired', 'eddy_consumer_expired_total', 'Records lost to retention before being finished'],
]

/** Renders metrics in the Prometheus text exposition format (version 0.0.4). */
export function prometheusText(metrics: ShardMetrics[]): string {
  const lines: string[] = []
  for (const [field, name, help] of counters) {
    lines.push(`# HELP ${name} ${help}.`, `# TYPE ${name} counter`)
    for (const shard of metrics) lines.push(`${name}{${labels(shard)}} ${shard[field] ?? 0}`)
  }
  const age = 'eddy_consumer_iterator_age_milliseconds'
  lines.push(`# HELP ${age} Age of the last record of the last batch when it was read.`)
  lines.push(`# TYPE ${age} gauge`)
  for (const shard of metrics) {
    if (shard.iteratorAgeMs !== null) lines.push(`${age}{${labels(shard)}} ${shard.iteratorAgeMs}`)
  }
  return `${lines.join('\n')}\n`
}

function labels(metrics: ShardMetrics): string {
  const consumer = metrics.consumer.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  return `consumer="${consumer}",shard="${metrics.shard}"`
}
