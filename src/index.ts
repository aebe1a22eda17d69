/** Eddy's public library API. */
export { open, Eddy, type OpenOptions } from './open.ts'
export { defineConfig, type EddyConfig } from './config/index.ts'
export {
  defineTable,
  Table,
  type TableDefinition,
  type ItemUpdate,
  type BatchWriteRequest,
  type WriteResult,
} from './tables/index.ts'
export {
  defineConsumer,
  type ConsumerDefinition,
  type FailureMode,
  type RecordContext,
  type RecordHandler,
} from './consumers/index.ts'
export {
  defineQueue,
  Queue,
  parseDeadLetter,
  type BatchResult,
  type DeadLetter,
  type MessageAttributes,
  type QueueAttributes,
  type QueueDefinition,
  type ReceivedMessage,
  type ReceiveOptions,
  type RedriveAllowPolicy,
  type RedrivePolicy,
  type SendBatchEntry,
  type SendOptions,
  type SendResult,
} from './queues/index.ts'
export type { ReprocessFilter, ReprocessOptions, ReprocessSummary } from './queues/reprocess.ts'
export type { MoveOptions, MoveSummary } from './queues/move.ts'
export type { DeadLetterQueueStatus } from './open.ts'
export type { StatusReport } from './observe/status.ts'
export { createLogger, type Logger } from './observe/logger.ts'
export type { ChangeRecord, EventName, Item, StreamViewType } from './streams/types.ts'
export * from './errors.ts'
export {
  inferSchema,
  type CompatibilityMode,
  type ContractDefinition,
  type FieldContract,
  type JsonSchema,
  type SchemaCheckReport,
  type StreamSchemasDefinition,
} from './schemas/index.ts'
