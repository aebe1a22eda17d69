/** Alarms on consumer and queue metrics: declarations, evaluation, the monitor and webhooks. */
export {
  alarmDefinitionSchema,
  alarmMetrics,
  defineAlarm,
  resolveAlarm,
  type AlarmDefinition,
  type AlarmMetric,
  type AlarmState,
  type ComparisonOperator,
  type ResolvedAlarm,
  type TreatMissingData,
} from './definition.ts'
export { evaluate, type Evaluation } from './evaluate.ts'
export {
  AlarmMonitor,
  type AlarmMonitorOptions,
  type AlarmStateStore,
  type AlarmTransition,
} from './monitor.ts'
export { sampleMetric } from './sample.ts'
export { storeAlarmMonitor, type StoreMonitorOptions } from './store-monitor.ts'
export { postWebhook, webhookBody, type WebhookBody } from './webhook.ts'
