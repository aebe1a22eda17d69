/**
 * Tables: items keyed by a partition key and an optional sort key. Every write that changes an
 * item appends one change record to the table's stream in the same transaction.
 */
import { ValidationError, describe } from '../errors.ts'
import type { Store } from '../store/index.ts'
import type { EventName, Item } from '../streams/types.ts'
import { applyChange, type ItemChange } from './change-capture.ts'
import type { ResolvedTable } from './definition.ts'
import { addressOf, extractKeys, validateItem } from './validate.ts'

export { defineTable, resolveTable } from './definition.ts'
export type {
  KeyAttribute,
  ResolvedTable,
  TableDefinition,
  TableStreamOptions,
} from './definition.ts'

/** Changes to top-level attributes of an item. */
export interface ItemUpdate {
  /** Attributes to set, by name. */
  set?: Record<string, unknown>
  /** Attribute names to remove. */
  remove?: string[]
}

/** One element of a batch write. */
export type BatchWriteRequest<TItem extends object = Item> =
  { put: TItem } | { delete: Partial<TItem> }

/** What a write did: the change record's event name, or null when the item did not change. */
export interface WriteResult {
  eventName: EventName | null
}

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

  /** Creates or replaces an item. */
  async put(item: TItem): Promise<WriteResult> {
    const newItem = validateItem(this.definition, item)
    const keys = extractKeys(this.definition, newItem)

    return this.store.write(async (tx) => {
      const oldItem = await tx.getItem(addressOf(this.definition, keys))
      return { eventName: await applyChange(tx, this.definition, { keys, oldItem, newItem }) }
    })
  }

  /** Sets and removes top-level attributes; creates the item when it does not exist. */
  async update(key: Partial<TItem>, update: ItemUpdate): Promise<WriteResult> {
    const keys = extractKeys(this.definition, key)
    const { set, remove } = this.#validateUpdate(update)

    return this.store.write(async (tx) => {
      const oldItem = await tx.getItem(addressOf(this.definition, keys))
      const newItem: Item = { ...oldItem, ...set, ...keys }
      for (const name of remove) delete newItem[name]
      return { eventName: await applyChange(tx, this.definition, { keys, oldItem, newItem }) }
    })
  }

  /** Deletes an item; deleting an item that does not exist appends nothing. */
  async delete(key: Partial<TItem>): Promise<WriteResult> {
    const keys = extractKeys(this.definition, key)

    return this.store.write(async (tx) => {
      const oldItem = await tx.getItem(addressOf(this.definition, keys))
      const change: ItemChange = { keys, oldItem, newItem: undefined }
      return { eventName: await applyChange(tx, this.definition, change) }
    })
  }

  /** Puts and deletes items in one transaction: all of them are written, or none. */
  async batchWrite(requests: BatchWriteRequest<TItem>[]): Promise<WriteResult[]> {
    const changes = this.#validateBatch(requests)

    return this.store.write(async (tx) => {
      const results: WriteResult[] = []
      for (const { keys, newItem } of changes) {
        const oldItem = await tx.getItem(addressOf(this.definition, keys))
        results.push({
          eventName: await applyChange(tx, this.definition, { keys, oldItem, newItem }),
        })
      }
      return results
    })
  }

  #validateBatch(requests: BatchWriteRequest<TItem>[]): Omit<ItemChange, 'oldItem'>[] {
    if (!Array.isArray(requests)) {
      throw new ValidationError(
        `Batch write to table "${this.name}" needs an array of { put } or { delete } requests, ` +
          `got ${describe(requests)}`,
      )
    }
    return requests.map((request, index) => {
      try {
        if (request && 'put' in request) {
          const newItem = validateItem(this.definition, request.put)
          return { keys: extractKeys(this.definition, newItem), newItem }
        }
        if (request && 'delete' in request) {
          return { keys: extractKeys(this.definition, request.delete), newItem: undefined }
        }
        throw new ValidationError(
          `expected { put: item } or { delete: key }, got ${describe(request)}`,
        )
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

  #validateUpdate(update: ItemUpdate): { set: Item; remove: string[] } {
    const set = update?.set === undefined ? {} : validateItem(this.definition, update.set)
    const remove = update?.remove ?? []
    if (!Array.isArray(remove) || remove.some((name) => typeof name !== 'string')) {
      throw new ValidationError(
        `Update of table "${this.name}": remove must be a list of attribute names, got ${describe(remove)}`,
      )
    }

    const keyNames = [this.definition.partitionKey.name, this.definition.sortKey?.name]
    for (const name of [...Object.keys(set), ...remove]) {
      if (keyNames.includes(name)) {
        throw new ValidationError(
          `Update of table "${this.name}" cannot change key attribute "${name}": ` +
            'delete the item and put a new one instead',
        )
      }
    }
    return { set, remove }
  }
}
