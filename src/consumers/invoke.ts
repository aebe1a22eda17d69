/**
 * The one entry point through which records reach a consumer's handler, used by normal delivery
 * and by reprocessing alike, so that a fixed handler sees dead letters exactly as it would have
 * seen the records live. It applies the handler timeout and turns whatever the handler did into
 * an outcome: success, failure of the whole call, or (batch handlers) failure of some records.
 */
import { toError } from '../errors.ts'
import { logFields, type Logger } from '../observe/logger.ts'
import type { Store, WriteTx } from '../store/index.ts'
import type { ChangeRecord } from '../streams/types.ts'
import type { BatchResponse, RecordContext, ResolvedConsumer } from './definition.ts'
import { idempotencyKeys, type IdempotencyKeys } from './idempotency.ts'

/** Writes a handler asked to commit with its checkpoint; see `RecordContext.transact`. */
export type TxWork = (tx: WriteTx) => Promise<void>

/** A handler call that ran past the consumer's `handlerTimeoutMs`. */
export class HandlerTimeoutError extends Error {
  constructor(consumer: string, timeoutMs: number) {
    super(`Handler of consumer "${consumer}" did not finish within handlerTimeoutMs ${timeoutMs}`)
    this.name = 'HandlerTimeoutError'
  }
}

/** What live delivery adds to a call: a place for the handler's writes, and the store. */
export interface InvokeEnvironment {
  writes: TxWork[]
  store: Store
}

/** What one batch-handler call did. */
export interface BatchOutcome {
  /** Null on success. */
  error: Error | null
  /** Sequence numbers reported failed; null when the whole call failed (threw, timed out). */
  failed: Set<string> | null
}

/** The logger a handler gets for one record: every line names the record and the consumer. */
export function recordLogger(log: Logger, consumer: string, record: ChangeRecord): Logger {
  const fields: Record<string, string> = {
    [logFields.stream]: record.stream,
    [logFields.shard]: record.shard,
    [logFields.sequenceNumber]: record.sequenceNumber,
    [logFields.consumer]: consumer,
  }
  // A shard worker's logger already carries stream, shard and consumer: binding them again
  // would write each key twice on every line.
  const bound = log.bindings()
  for (const name of Object.keys(fields)) if (bound[name] === fields[name]) delete fields[name]
  return log.child(fields)
}

/**
 * A handler's context. A class rather than an object literal with closures: one is made per
 * record, and the drain loop pays for every allocation; the logger and the idempotency keys are
 * made on first use.
 */
class HandlerContext implements RecordContext {
  #log: Logger | undefined
  #idempotency: IdempotencyKeys | undefined

  constructor(
    readonly consumer: string,
    readonly attempt: number,
    private readonly baseLog: Logger,
    /** The record whose fields the logger binds; null for a batch, which logs on `baseLog`. */
    private readonly record: ChangeRecord | null,
    private readonly environment: InvokeEnvironment | undefined,
  ) {}

  transact(work: TxWork): void {
    if (!this.environment) {
      throw new Error('context.transact is not available when reprocessing dead letters')
    }
    this.environment.writes.push(work)
  }

  get log(): Logger {
    const { baseLog, record } = this
    return (this.#log ??= record ? recordLogger(baseLog, this.consumer, record) : baseLog)
  }

  get idempotency(): IdempotencyKeys | undefined {
    if (this.environment) this.#idempotency ??= idempotencyKeys(this.environment.store)
    return this.#idempotency
  }
}

/**
 * Runs the consumer's handler on one record (a batch of one for batch handlers). A record that
 * does not meet the consumer's contract fails with a `ContractError` before the handler runs.
 * A handler that returns without a promise (and has no timeout) settles without a turn of the
 * microtask queue: a no-op handler then costs the drain loop almost nothing.
 */
export function invokeRecordHandler(
  consumer: ResolvedConsumer,
  record: ChangeRecord,
  attempt: number,
  log: Logger,
  environment?: InvokeEnvironment,
): Error | null | Promise<Error | null> {
  const violation = consumer.contract?.check(record)
  if (violation) return violation

  const context = new HandlerContext(consumer.name, attempt, log, record, environment)
  const handleRecord = consumer.handleRecord
  if (!handleRecord) return callBatch(consumer, [record], context).then((outcome) => outcome.error)
  if (consumer.handlerTimeoutMs !== null && !consumer.isolation) {
    return withTimeout(consumer, () => handleRecord(record, context)).then(({ error }) => error)
  }
  return callDirect(() => handleRecord(record, context))
}

/** Calls a handler with no timeout; awaits only what it returned as a promise. */
function callDirect(call: () => unknown): Error | null | Promise<Error | null> {
  let value: unknown
  try {
    value = call()
  } catch (thrown) {
    return toError(thrown)
  }
  if (!isThenable(value)) return null
  return Promise.resolve(value).then(
    () => null,
    (thrown: unknown) => toError(thrown),
  )
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/** Runs the consumer's batch handler on a batch. */
export async function invokeBatchHandler(
  consumer: ResolvedConsumer,
  records: ChangeRecord[],
  attempt: number,
  log: Logger,
  environment: InvokeEnvironment,
): Promise<BatchOutcome> {
  return callBatch(
    consumer,
    records,
    new HandlerContext(consumer.name, attempt, log, null, environment),
  )
}

async function callBatch(
  consumer: ResolvedConsumer,
  records: ChangeRecord[],
  context: RecordContext,
): Promise<BatchOutcome> {
  const handleBatch = consumer.handleBatch
  if (!handleBatch) throw new Error(`Consumer "${consumer.name}" has no handleBatch`)

  const { error, value } = await withTimeout(consumer, () => handleBatch(records, context))
  if (error) return { error, failed: null }
  return readResponse(consumer.name, records, value)
}

/** Reads a partial-failure response; an identifier outside the batch fails the whole batch. */
function readResponse(consumer: string, records: ChangeRecord[], value: unknown): BatchOutcome {
  const failures = (value as BatchResponse | undefined)?.batchItemFailures
  if (!Array.isArray(failures) || failures.length === 0) return { error: null, failed: new Set() }

  const inBatch = new Set(records.map((record) => record.sequenceNumber))
  const failed = new Set(failures.map((failure) => String(failure?.itemIdentifier)))
  const unknown = [...failed].find((id) => !inBatch.has(id))
  if (unknown !== undefined) {
    const error = new Error(
      `Batch handler of consumer "${consumer}" reported itemIdentifier ${JSON.stringify(unknown)}, ` +
        'which is not a sequence number of the batch: the whole batch counts as failed',
    )
    return { error, failed: null }
  }
  return {
    error: new Error(`${failed.size} record(s) reported failed by the batch handler`),
    failed,
  }
}

/**
 * Calls the handler, racing it against the timeout. A timed-out call counts as failed; its
 * promise is abandoned, so a handler that never yields keeps the thread busy (see the README).
 */
async function withTimeout(
  consumer: ResolvedConsumer,
  call: () => unknown,
): Promise<{ error: Error | null; value: unknown }> {
  // An isolated handler's thread pool enforces the timeout itself, by ending the thread.
  const timeoutMs = consumer.isolation ? null : consumer.handlerTimeoutMs
  let timer: NodeJS.Timeout | undefined
  try {
    if (timeoutMs === null) return { error: null, value: await call() }
    const running = Promise.resolve().then(call)
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeoutError(consumer.name, timeoutMs)), timeoutMs)
    })
    return { error: null, value: await Promise.race([running, expired]) }
  } catch (thrown) {
    return { error: toError(thrown), value: undefined }
  } finally {
    clearTimeout(timer)
  }
}
