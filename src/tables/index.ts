/**
 * Tables: items keyed by a partition key and an optional sort key. Every write that changes an
 * item appends one change record to the table's stream in the same transaction; a write whose
 * condition fails, or that changes nothing, appends nothing.
 */
import { ValidationError, describe, rejectUnknownKeys } from '../errors.ts'
import type { Store } from '../store/index.ts'
import type { Item } from '../streams/types.ts'
import type { ResolvedTable } from './definition.ts'
import type { AttributePath } from './expressions/paths.ts'
import {
  batchGet,
  queryPage,
  scanPage,
  type Page,
  type QueryOptions,
  type ScanOptions,
} from './reads.ts'
import { addressOf, extractKeys } from './validate.ts'
import {
  planDelete,
  planPut,
  planUpdate,
  runPlans,
  type ItemUpdate,
  type PlannedWrite,
  type WriteOptions,
  type WriteResult,
} from './writes.ts'

export { defineTable, resolveTable } from './definition.ts'
export type {
  KeyAttribute,
  ResolvedTable,
  TableDefinition,
  TableStreamOptions,
} from './definition.ts'
export type { Condition, ComparisonOperator, Operand } from './expressions/conditions.ts'
export type { AttributePath } from './expressions/paths.ts'
export type { UpdateAction, ValueExpression } from './expressions/updates.ts'
export type { AttributeType } from './expressions/values.ts'
export type { Page, QueryOptions, ScanOptions, SortKeyCondition } from './reads.ts'
export type { ItemUpdate, ReturnValues, WriteOptions, WriteResult } from './writes.ts'

/** Plans only read and write through the transaction, so the writer may run them again. */
const rerunnable = { rerunnable: true }

/** One element of a batch write. */
export type BatchWriteRequest<TItem extends object = Item> =
  { put: TItem } | { delete: Partial<TItem> }

/** A table bound to a store. Get one with `eddy.table(name)`. */
export class Table<TItem extends object = Item> {
  constructor(
    private readonly store: Store,
    /** The table's declaration with defaults filled in. */
    readonly definition: ResolvedTable,
  ) {}

  get name(): string {
    return this.definition.name
  }

  /** Reads an item by its key; undefined when there is none. */
  async get(key: Partial<TItem>): Promise<TItem | undefined> {
    const keys = extractKeys(this.definition, key)
    return (await this.store.getItem(addressOf(this.definition, keys))) as TItem | undefined
  }

  /** Creates or replaces an item, if `options.condition` holds for the current one. */
  async put(item: TItem, options?: WriteOptions): Promise<WriteResult<TItem>> {
    return this.#run(planPut(this.definition, item, options))
  }

  /**
   * Changes an item with `set` and `remove` shorthands and `actions` on any path; creates the
   * item when it does not exist. A failed condition throws `ConditionalCheckFailedError`.
   */
  async update(
    key: Partial<TItem>,
    update: ItemUpdate,
    options?: WriteOptions,
  ): Promise<WriteResult<TItem>> {
    return this.#run(planUpdate(this.definition, key, update, options))
  }

  /** Deletes an item; deleting an item that does not exist appends nothing. */
  async delete(key: Partial<TItem>, options?: WriteOptions): Promise<WriteResult<TItem>> {
    return this.#run(planDelete(this.definition, key, options))
  }

  /** Puts and deletes items in one transaction: all of them are written, or none. */
  async batchWrite(requests: BatchWriteRequest<TItem>[]): Promise<WriteResult<TItem>[]> {
    const plans = this.#planBatch(requests)
    return this.store.write((tx) => runPlans(tx, plans), rerunnable) as Promise<
      WriteResult<TItem>[]
    >
  }

  /** Reads up to 100 items by key, in the order asked; absent items are left out. */
  async batchGet(
    keys: Partial<TItem>[],
    options?: { projection?: AttributePath[] },
  ): Promise<TItem[]> {
    return (await batchGet(this.store, this.definition, keys, options?.projection)) as TItem[]
  }

  /** One page of the items of a partition, in sort key order. */
  async query(options: QueryOptions): Promise<Page<TItem>> {
    return (await queryPage(this.store, this.definition, options)) as Page<TItem>
  }

  /** One page of the items of the table (or of one segment of it), in storage order. */
  async scan(options?: ScanOptions): Promise<Page<TItem>> {
    return (await scanPage(this.store, this.definition, options)) as Page<TItem>
  }

  async #run(plan: PlannedWrite): Promise<WriteResult<TItem>> {
    return (await this.store.write((tx) => plan.run(tx), rerunnable)) as WriteResult<TItem>
  }

  #planBatch(requests: BatchWriteRequest<TItem>[]): PlannedWrite[] {
    if (!Array.isArray(requests)) {
      throw new ValidationError(
        `Batch write to table "${this.name}" needs an array of { put } or { delete } requests, ` +
          `got ${describe(requests)}`,
      )
    }
    const seen = new Set<string>()
    return requests.map((request, index) => {
      try {
        rejectUnknownKeys('expected { put: item } or { delete: key }', request, ['put', 'delete'])
        const plan = planBatchElement(this.definition, request)
        const key = JSON.stringify(addressOf(this.definition, plan.keys))
        if (seen.has(key)) {
          throw new ValidationError(
            `key ${describe(plan.keys)} is written twice; a batch writes each item once`,
          )
        }
        seen.add(key)
        return plan
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new ValidationError(
          `Batch write to table "${this.name}" request ${index}: ${reason}`,
          {
            cause: error,
          },
        )
      }
    })
  }
}

/** One `{ put }` or `{ delete }` of a batch: exactly one of the two. */
function planBatchElement(table: ResolvedTable, request: unknown): PlannedWrite {
  const hasPut = typeof request === 'object' && request !== null && 'put' in request
  const hasDelete = typeof request === 'object' && request !== null && 'delete' in request
  if (hasPut && !hasDelete) return planPut(table, (request as { put: unknown }).put)
  if (hasDelete && !hasPut) return planDelete(table, (request as { delete: unknown }).delete)
  throw new ValidationError(`expected { put: item } or { delete: key }, got ${describe(request)}`)
}
