/** Eddy's public library API. */
export { open, Eddy, type OpenOptions } from './open.ts'
export { defineConfig, type EddyConfig } from './config/index.ts'
export { defineTable, Table, type TableDefinition, type ItemUpdate, type BatchWriteRequest, type WriteResult } from './tables/index.ts'
export {
  defineConsumer,
  HandlerTimeoutError,
  idempotent,
  prometheusText,
  type BatchHandler,
  type BatchResponse,
  type ConsumerDefinition,
  type FailureMode,
  type FieldPattern,
  type IdempotencyOptions,
  type RecordContext,
  type RecordFilter,
  type RecordHandler,
  type ShardMetrics,
  type StartingPosition,
} from './consumers/index.ts'
export type { ReplayOptions, ReplayResult } from './consumers/replay.ts'
export { defineQueue, Queue, parseDeadLetter, type DeadLetter, type QueueDefinition } from './queues/index.ts'
export type { ReprocessOptions, ReprocessSummary } from './queues/reprocess.ts'
export type { StatusReport } from './observe/status.ts'
export { createLogger, type Logger } from './observe/logger.ts'
export type { ChangeRecord, EventName, Item, StreamViewType } from './streams/types.ts'
export * from './errors.ts'
