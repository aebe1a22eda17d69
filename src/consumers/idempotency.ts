/**
 * The idempotency helper: wraps a record handler so that a record already completed within a TTL
 * is not run again, even when its batch is retried or its process died before the checkpoint was
 * saved. Keys live in the store with a state: `in-progress` (a run holds the key until
 * `inProgressExpiryMs`), `completed` (skip until the TTL ends), `failed` (the next run may go).
 *
 * Writes the handler asks for through `context.transact` commit in one transaction with the
 * `completed` mark, right after the handler returns: never one without the other. (They do not
 * wait for the checkpoint's commit; the mark is what makes a re-run skip them.) Keys past their
 * TTL are ignored but not yet deleted: the table grows with the records handled until a purge
 * is scheduled (the store has the statement; nothing calls it yet).
 */
import type { IdempotencyClaim, Store } from '../store/index.ts'
import type { ChangeRecord, Item } from '../streams/types.ts'
import type { RecordContext, RecordHandler } from './definition.ts'
import type { TxWork } from './invoke.ts'

/** What the helper needs from the store; handlers get it as `context.idempotency`. */
export interface IdempotencyKeys {
  claim(key: string, inProgressExpiryMs: number): Promise<IdempotencyClaim>
  /** Marks the key completed and commits `writes` in the same transaction. */
  complete(key: string, ttlMs: number, writes: TxWork[]): Promise<void>
  fail(key: string, error: string, ttlMs: number): Promise<void>
}

export interface IdempotencyOptions<TItem extends object = Item> {
  /** The key of a record; default its event id. Scoped by consumer name. */
  key?: (record: ChangeRecord<TItem>) => string
  /** How long a completed key prevents a re-run, in seconds. Default 3,600. */
  ttlSeconds?: number
  /** How long a run holds its key before another may take it, ms. Default 60,000. */
  inProgressExpiryMs?: number
}

/** An error for a record whose key another run holds: the record is retried later. */
export class RecordInProgressError extends Error {
  constructor(key: string) {
    super(`Idempotency key "${key}" is held by another run; the record is retried later`)
    this.name = 'RecordInProgressError'
  }
}

/** Builds the store side of the helper. */
export function idempotencyKeys(store: Store): IdempotencyKeys {
  return {
    claim: (key, expiryMs) => store.write((tx) => tx.claimIdempotencyKey(key, expiryMs)),
    complete: (key, ttlMs, writes) =>
      store.write(async (tx) => {
        for (const work of writes) await work(tx)
        await tx.completeIdempotencyKey(key, ttlMs)
      }),
    fail: (key, error, ttlMs) => store.write((tx) => tx.failIdempotencyKey(key, error, ttlMs)),
  }
}

/** Wraps a record handler so that a record completed within the TTL is skipped. */
export function idempotent<TItem extends object = Item>(
  handler: RecordHandler<TItem>,
  options: IdempotencyOptions<TItem> = {},
): RecordHandler<TItem> {
  const ttlMs = (options.ttlSeconds ?? 3_600) * 1000
  const inProgressExpiryMs = options.inProgressExpiryMs ?? 60_000
  const keyOf = options.key ?? ((record: ChangeRecord<TItem>) => record.eventId)

  return async (record, context) => {
    const keys = context.idempotency
    if (!keys) return handler(record, context)

    const key = `${context.consumer}:${keyOf(record)}`
    const claim = await keys.claim(key, inProgressExpiryMs)
    if (claim === 'completed')
      return context.log.debug({ key }, 'record already completed; skipped')
    if (claim === 'in-progress') throw new RecordInProgressError(key)

    const writes: TxWork[] = []
    const inner: RecordContext = { ...context, transact: (work) => void writes.push(work) }
    try {
      await handler(record, inner)
    } catch (error) {
      await keys.fail(key, error instanceof Error ? error.message : String(error), ttlMs)
      throw error
    }
    await keys.complete(key, ttlMs, writes)
  }
}
