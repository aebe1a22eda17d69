/**
 * How a consumer is declared: its stream, its handler (per record or per batch), batching,
 * filters, and what a failure does. Ranges follow Lambda event source mappings unless noted.
 */
import { ValidationError } from '../errors.ts'
import type { Logger } from '../observe/logger.ts'
import type { ContractDefinition } from '../schemas/contract.ts'
import { compileContract, type CompiledContract } from '../schemas/runtime.ts'
import type { WriteTx } from '../store/index.ts'
import type { ChangeRecord, Item } from '../streams/types.ts'
import type { RecordFilter } from './filters.ts'
import type { IdempotencyKeys } from './idempotency.ts'
import { bindIsolatedHandler } from './isolated.ts'
import { consumerDefinitionSchema } from './options.ts'

export { consumerDefinitionSchema } from './options.ts'

/**
 * What a consumer does with a record that failed and has no retry left:
 * - `'log'`: log and count the error, skip the record, move on;
 * - `'retry'`: stop the shard and retry the failing record, with backoff, until it succeeds (or,
 *   with `maxRetryAttempts` or `maxRecordAgeSeconds` set, until a limit is hit: then it is
 *   logged as discarded and skipped);
 * - `{ deadLetter: 'queue' }`: send the whole record with its error and origin to the queue.
 */
export type FailureMode = 'log' | 'retry' | { deadLetter: string }

/** What a handler gets besides the records. */
export interface RecordContext {
  consumer: string
  /** 1 on the first try of this record (or batch), 2 on the first retry, and so on. */
  attempt: number
  /** A logger whose lines carry stream, shard, sequence number and consumer. */
  log: Logger
  /**
   * Adds writes to the commit that saves the checkpoint past this record (per-record mode) or
   * past this batch (batch mode), so that they happen exactly when the record counts as done.
   * Dropped when the record (or batch) fails. `work` must await nothing but `tx` calls.
   */
  transact(work: (tx: WriteTx) => Promise<void>): void
  /** The store side of the `idempotent` helper; absent when reprocessing dead letters. */
  idempotency?: IdempotencyKeys
}

/** Processes one change record; a thrown error is a failure of that record. */
export type RecordHandler<TItem extends object = Item> = (
  record: ChangeRecord<TItem>,
  context: RecordContext,
) => void | Promise<void>

/** What a batch handler may return: the sequence numbers of the records that failed. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[]
}

/**
 * Processes a whole batch. A thrown error fails the whole batch; returning the failed records'
 * sequence numbers fails only those (partial batch failure).
 */
export type BatchHandler<TItem extends object = Item> = (
  records: ChangeRecord<TItem>[],
  context: RecordContext,
) => void | BatchResponse | Promise<void | BatchResponse>

/** Where a new consumer starts in each shard. Ignored once it has a checkpoint. */
export type StartingPosition = 'oldest' | 'latest' | { atTimestampMs: number }

/** A consumer: a handler bound to a stream, with its own checkpoint per shard. */
export interface ConsumerDefinition<TItem extends object = Item> {
  name: string
  /** The stream to read; a table's stream has the table's name. */
  stream: string
  /** Per-record handler (recommended). Give exactly one of `handleRecord` and `handleBatch`. */
  handleRecord?: RecordHandler<TItem>
  /** Whole-batch handler, which may report partial failures. */
  handleBatch?: BatchHandler<TItem>
  /** Records per batch, 1 to 10,000. Default 100. The checkpoint is saved after each batch. */
  batchSize?: number
  /** Longest wait to fill a batch, 0 to 300 seconds. Default 0 (hand over what is there). */
  batchingWindowSeconds?: number
  /** Largest batch payload (sum of record sizes), 1 KB to 6 MB. Default 6 MB. */
  maxBatchBytes?: number
  /** Where a new consumer starts: `oldest` (default), `latest` or `{ atTimestampMs }`. */
  startingPosition?: StartingPosition
  /** Only records matching one of these reach the handler; others count as done. */
  filters?: RecordFilter[]
  /** Batches in flight per shard, 1 to 10; records of one partition key stay in order. Default 1. */
  parallelization?: number
  /** False: the consumer does not run; its checkpoint stays. Default true. */
  enabled?: boolean
  /**
   * Longest run of one handler call, 1 ms to 15 minutes; past it the call counts as failed. An
   * in-process handler is abandoned, not stopped (it may keep running); an isolated one is.
   */
  handlerTimeoutMs?: number
  /**
   * Instead of `handleRecord` or `handleBatch`: run the handler in worker threads, loaded from a
   * module. `module` is a path (from the current folder) or a file URL; `exportName` names the
   * function (default `handleRecord`); `batch: true` makes it a batch handler. A runaway call is
   * ended at `handlerTimeoutMs`. Records cross to the thread as copies; isolated handlers cannot
   * use `context.transact` or the idempotency helper.
   */
  isolation?: { module: string; exportName?: string; batch?: boolean }
  /** Default `'retry'`, as on AWS. */
  onFailure?: FailureMode
  /** Retries after the first attempt: -1 (unlimited) or 0 to 10,000. Default -1 for `'retry'`, 0 otherwise. */
  maxRetryAttempts?: number
  /** Records older than this are not retried (nor delivered): -1 or 60 to 604,800. Default -1. */
  maxRecordAgeSeconds?: number
  /** Exponential backoff with jitter: first and longest wait, ms. Default 100 and 30,000. */
  retryBackoff?: { initialMs?: number; maxMs?: number }
  /**
   * What the handler reads from each item: field paths with types, or a schema. A record that
   * does not meet it fails before the handler runs (the failure mode applies), and a producer's
   * new schema that breaks it is refused. Default: no contract.
   */
  contract?: ContractDefinition
  /** Batch mode: split a failing batch in two to find the failing record. Default false. */
  bisectBatchOnError?: boolean
  /** Per-record mode: park a failing key (its later records wait) while other keys go on. */
  parkFailingKeys?: boolean
}

/** A consumer definition with every default filled in. */
export interface ResolvedConsumer {
  name: string
  stream: string
  handleRecord: RecordHandler | null
  handleBatch: BatchHandler | null
  batchSize: number
  batchingWindowMs: number
  maxBatchBytes: number
  startingPosition: StartingPosition
  filters: RecordFilter[]
  parallelization: number
  enabled: boolean
  handlerTimeoutMs: number | null
  isolation: { module: string; exportName: string; batch: boolean } | null
  onFailure: FailureMode
  /** -1 for unlimited. */
  maxRetryAttempts: number
  /** -1 for unlimited. */
  maxRecordAgeMs: number
  retryBackoff: { initialMs: number; maxMs: number }
  contract: CompiledContract | null
  bisectBatchOnError: boolean
  parkFailingKeys: boolean
}

/** Declares a consumer. Throws a `ValidationError` that names the bad option and its range. */
export function defineConsumer<TItem extends object = Item>(
  definition: ConsumerDefinition<TItem>,
): ConsumerDefinition<TItem> {
  const parsed = consumerDefinitionSchema.safeParse(definition)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue?.path.join('.') || '(root)'
    const value = issue?.path.reduce<unknown>(
      (at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key],
      definition,
    )
    throw new ValidationError(
      `Consumer ${JSON.stringify(definition?.name)} option ${path}: ${issue?.message} ` +
        `(got ${typeof value === 'function' ? 'a function' : JSON.stringify(value)})`,
    )
  }
  return definition
}

/** Fills in the defaults of a consumer definition. */
export function resolveConsumer(definition: ConsumerDefinition): ResolvedConsumer {
  const onFailure = definition.onFailure ?? 'retry'
  const maxRecordAgeSeconds = definition.maxRecordAgeSeconds ?? -1
  const resolved: ResolvedConsumer = {
    name: definition.name,
    stream: definition.stream,
    handleRecord: definition.handleRecord ?? null,
    handleBatch: definition.handleBatch ?? null,
    batchSize: definition.batchSize ?? 100,
    batchingWindowMs: (definition.batchingWindowSeconds ?? 0) * 1000,
    maxBatchBytes: definition.maxBatchBytes ?? 6 * 1024 * 1024,
    startingPosition: definition.startingPosition ?? 'oldest',
    filters: definition.filters ?? [],
    parallelization: definition.parallelization ?? 1,
    enabled: definition.enabled ?? true,
    handlerTimeoutMs: definition.handlerTimeoutMs ?? null,
    isolation: definition.isolation
      ? {
          module: definition.isolation.module,
          exportName: definition.isolation.exportName ?? 'handleRecord',
          batch: definition.isolation.batch ?? false,
        }
      : null,
    onFailure,
    maxRetryAttempts: definition.maxRetryAttempts ?? (onFailure === 'retry' ? -1 : 0),
    maxRecordAgeMs: maxRecordAgeSeconds === -1 ? -1 : maxRecordAgeSeconds * 1000,
    retryBackoff: {
      initialMs: definition.retryBackoff?.initialMs ?? 100,
      maxMs: definition.retryBackoff?.maxMs ?? 30_000,
    },
    contract: definition.contract ? compileContract(definition.name, definition.contract) : null,
    bisectBatchOnError: definition.bisectBatchOnError ?? false,
    parkFailingKeys: definition.parkFailingKeys ?? false,
  }
  if (resolved.isolation) bindIsolatedHandler(resolved)
  return resolved
}

/** The name of the consumer's dead-letter queue, if its failure mode has one. */
export function deadLetterQueueOf(consumer: { onFailure: FailureMode }): string | null {
  return typeof consumer.onFailure === 'object' ? consumer.onFailure.deadLetter : null
}
