/**
 * How an alarm is declared in the config: a metric of a consumer or a queue, a threshold, a
 * period, M out of N datapoints, and what a missing datapoint means. The states are those of
 * CloudWatch alarms: `OK`, `ALARM` and `INSUFFICIENT_DATA`.
 */
import { z } from 'zod'
import { namePattern } from '../../tables/definition.ts'

/** The state of an alarm. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'

/**
 * What an alarm watches. Consumer metrics are summed (counters) or maxed (ages) over the
 * consumer's shards, or over every consumer when `consumer` is not given:
 * - `iteratorAgeMs`: the largest iterator age of a shard that has work (absent when idle);
 * - `errors`, `deadLettered`, `expiredRecords`: how many during the period;
 * - `recordsExpireInMs`: the least time before a blocking record leaves the stream by retention
 *   (absent when no shard is blocked);
 * - `queueDepth`, `queueOldestMessageAgeMs`: of `queue` (0 for an empty queue).
 */
export type AlarmMetric =
  | 'iteratorAgeMs'
  | 'errors'
  | 'deadLettered'
  | 'expiredRecords'
  | 'recordsExpireInMs'
  | 'queueDepth'
  | 'queueOldestMessageAgeMs'

export const alarmMetrics = [
  'iteratorAgeMs',
  'errors',
  'deadLettered',
  'expiredRecords',
  'recordsExpireInMs',
  'queueDepth',
  'queueOldestMessageAgeMs',
] as const satisfies readonly AlarmMetric[]

/** Metrics of a queue; the others are of consumers. */
export const queueMetrics: readonly AlarmMetric[] = ['queueDepth', 'queueOldestMessageAgeMs']

/**
 * What a missing datapoint counts as: `missing` (default: skipped; all missing is
 * INSUFFICIENT_DATA), `notBreaching`, `breaching`, or `ignore` (all missing keeps the state).
 */
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore'

export type ComparisonOperator = '>=' | '>' | '<=' | '<'

/** An alarm as declared in the config. */
export interface AlarmDefinition {
  name: string
  metric: AlarmMetric
  /** The consumer whose metric this is; default every consumer. Not for queue metrics. */
  consumer?: string
  /** The queue of a queue metric; required for those. */
  queue?: string
  /** The value compared with each datapoint, in the metric's unit (ms, or a count). */
  threshold: number
  /** Default `<` for `recordsExpireInMs`, `>=` for the others. */
  comparison?: ComparisonOperator
  /** Length of one datapoint, in seconds. Default 60. */
  periodSeconds?: number
  /** N: how many of the latest datapoints are evaluated. Default 1. */
  evaluationPeriods?: number
  /** M: how many of those must breach for ALARM. Default `evaluationPeriods`. */
  datapointsToAlarm?: number
  /** Default `missing`; see `TreatMissingData`. */
  treatMissingData?: TreatMissingData
  /** Where each transition is posted as Slack-compatible JSON (`{ text, blocks }`). */
  webhookUrl?: string
}

/** An alarm with its defaults filled in. */
export interface ResolvedAlarm extends Required<
  Omit<AlarmDefinition, 'consumer' | 'queue' | 'webhookUrl'>
> {
  consumer: string | null
  queue: string | null
  webhookUrl: string | null
}

export const alarmDefinitionSchema = z
  .object({
    name: z.string().regex(namePattern, 'use 1 to 255 letters, digits, "_", "-" or "."'),
    metric: z.enum(alarmMetrics),
    consumer: z.string().min(1).optional(),
    queue: z.string().min(1).optional(),
    threshold: z.number().finite().min(0),
    comparison: z.enum(['>=', '>', '<=', '<']).optional(),
    periodSeconds: z.number().int().min(1).max(86_400).optional(),
    evaluationPeriods: z.number().int().min(1).max(100).optional(),
    datapointsToAlarm: z.number().int().min(1).max(100).optional(),
    treatMissingData: z.enum(['missing', 'notBreaching', 'breaching', 'ignore']).optional(),
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict()
  .refine((a) => (a.datapointsToAlarm ?? 1) <= (a.evaluationPeriods ?? 1), {
    message: 'datapointsToAlarm (M) must be at most evaluationPeriods (N)',
    path: ['datapointsToAlarm'],
  })
  .refine((a) => !queueMetrics.includes(a.metric) || a.queue !== undefined, {
    message: 'a queue metric names its queue',
    path: ['queue'],
  })
  .refine((a) => queueMetrics.includes(a.metric) || a.queue === undefined, {
    message: 'only queueDepth and queueOldestMessageAgeMs take a queue',
    path: ['queue'],
  })

/** Identity function that gives an alarm its type. */
export function defineAlarm(definition: AlarmDefinition): AlarmDefinition {
  return definition
}

/** Fills in an alarm's defaults. */
export function resolveAlarm(definition: AlarmDefinition): ResolvedAlarm {
  const evaluationPeriods = definition.evaluationPeriods ?? 1
  return {
    name: definition.name,
    metric: definition.metric,
    consumer: definition.consumer ?? null,
    queue: definition.queue ?? null,
    threshold: definition.threshold,
    comparison: definition.comparison ?? (definition.metric === 'recordsExpireInMs' ? '<' : '>='),
    periodSeconds: definition.periodSeconds ?? 60,
    evaluationPeriods,
    datapointsToAlarm: definition.datapointsToAlarm ?? evaluationPeriods,
    treatMissingData: definition.treatMissingData ?? 'missing',
    webhookUrl: definition.webhookUrl ?? null,
  }
}
