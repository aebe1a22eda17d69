/**
 * Consumers: event source mappings that read a stream in batches, each with its own checkpoint
 * per shard. `ConsumerRunner` runs one `ShardWorker` per (consumer, shard) whose lease this
 * process holds, and wakes them when their stream gets records.
 */
export {
  deadLetterQueueOf,
  defineConsumer,
  resolveConsumer,
  type BatchHandler,
  type BatchResponse,
  type ConsumerDefinition,
  type FailureMode,
  type RecordContext,
  type RecordHandler,
  type ResolvedConsumer,
  type StartingPosition,
} from './definition.ts'
export type { FieldPattern, RecordFilter } from './filters.ts'
export { idempotent, type IdempotencyOptions } from './idempotency.ts'
export { HandlerTimeoutError, invokeRecordHandler } from './invoke.ts'
export { ConsumerMetrics, prometheusText, type ShardMetrics } from './metrics.ts'
export { ConsumerRunner, type RunnerOptions, type RunningShard } from './runner.ts'
export type { ShardState } from './shard-worker.ts'
