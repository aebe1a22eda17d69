/** Eddy's public library API. */
export { open, Eddy, type MaintenanceSummary, type OpenOptions } from './open.ts'
export { defineConfig, type EddyConfig } from './config/index.ts'
export {
  defineTable,
  Table,
  type AttributePath,
  type AttributeType,
  type BatchWriteRequest,
  type ComparisonOperator,
  type Condition,
  type ItemUpdate,
  type Operand,
  type Page,
  type QueryOptions,
  type ReturnValues,
  type ScanOptions,
  type SortKeyCondition,
  type TableDefinition,
  type UpdateAction,
  type ValueExpression,
  type WriteOptions,
  type WriteResult,
} from './tables/index.ts'
export type { TransactWriteRequest } from './tables/transaction.ts'
export { defineStream, type StreamDefinition } from './streams/definition.ts'
export {
  Stream,
  type IteratorPosition,
  type PublishRequest,
  type ReadResult,
  type StreamDescription,
} from './streams/reader.ts'
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
export type { ReplayOptions, ReplayResult } from './consumers/replay.ts'
export type { AlarmStatus, StatusReport } from './observe/status.ts'
export { createLogger, type Logger } from './observe/logger.ts'
export {
  createServer,
  serve,
  type ErrorEnvelope,
  type ServerConfig,
  type ServerHandle,
  type ServerOptions,
} from './server/index.ts'
export {
  AlarmMonitor,
  defineAlarm,
  webhookBody,
  type AlarmDefinition,
  type AlarmMetric,
  type AlarmState,
  type AlarmTransition,
  type TreatMissingData,
} from './observe/alarms/index.ts'
export type {
  ChangeRecord,
  EventName,
  Item,
  StreamViewType,
  UserIdentity,
} from './streams/types.ts'
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
