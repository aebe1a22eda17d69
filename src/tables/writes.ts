/**
 * Item writes as plans: each public write is checked first (keys, item, condition, update
 * actions, return values), then becomes a `PlannedWrite` whose `run` does the work inside a
 * write transaction. A single write runs one plan; a transaction or batch runs many in one
 * transaction, so one failing plan rolls all of them back.
 */
import {
  ConditionalCheckFailedError,
  describe,
  rejectUnknownKeys,
  ValidationError,
} from '../errors.ts'
import type { WriteTx } from '../store/index.ts'
import { formatSequenceNumber } from '../streams/positions.ts'
import type { EventName, Item } from '../streams/types.ts'
import { applyChange, type AppliedChange } from './change-capture.ts'
import type { ResolvedTable } from './definition.ts'
import { compileCondition, type Condition, type Predicate } from './expressions/conditions.ts'
import { project, type Segments } from './expressions/paths.ts'
import { compileUpdate, type CompiledUpdate, type UpdateAction } from './expressions/updates.ts'
import { addressOf, checkItemSize, extractKeys, validateItem } from './validate.ts'

/** Which attributes a write returns. UPDATED_* apply to updates only; ALL_NEW to updates only. */
export type ReturnValues = 'NONE' | 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW'

/** Options every conditional write takes. */
export interface WriteOptions {
  /** The write happens only when this holds for the current item (absent items have no attributes). */
  condition?: Condition
  /** Default NONE. `put` and `delete` accept NONE and ALL_OLD. */
  returnValues?: ReturnValues
  /** ALL_OLD puts the current item on the `ConditionalCheckFailedError`. Default NONE. */
  returnValuesOnConditionCheckFailure?: 'NONE' | 'ALL_OLD'
}

/** Changes to an item: top-level `set` and `remove` shorthands, and actions on any path. */
export interface ItemUpdate {
  /** Top-level attributes to set, by name. */
  set?: Record<string, unknown>
  /** Top-level attribute names to remove. */
  remove?: string[]
  /** Actions on nested paths and list indexes, applied with `set` and `remove`. */
  actions?: UpdateAction[]
}

/** What a write did. */
export interface WriteResult<TItem extends object = Item> {
  /** The change record's event name, or null when the item did not change. */
  eventName: EventName | null
  /** The change record's sequence number, or null when none was appended. */
  sequenceNumber: string | null
  /** The attributes `returnValues` asked for, when there are any. */
  attributes?: Partial<TItem>
}

/** A checked write, ready to run inside a transaction. */
export interface PlannedWrite {
  table: ResolvedTable
  keys: Item
  run(tx: WriteTx): Promise<WriteResult>
}

interface Checked {
  where: string
  condition: Predicate | null
  returnOld: boolean
}

function checkOptions(
  table: ResolvedTable,
  keys: Item,
  verb: string,
  options: WriteOptions | undefined,
  allowed: ReturnValues[],
): Checked & { returnValues: ReturnValues } {
  // Most writes never need their description, so it is only built when a message needs it.
  const checked = {
    get where() {
      return `${verb} table "${table.name}" key ${describe(keys)}`
    },
    condition: null as Predicate | null,
    returnOld: false,
    returnValues: options?.returnValues ?? 'NONE',
  }
  if (options === undefined) return checked
  rejectUnknownKeys(checked.where, options, [
    'condition',
    'returnValues',
    'returnValuesOnConditionCheckFailure',
  ])

  if (!allowed.includes(checked.returnValues)) {
    throw new ValidationError(
      `${checked.where}: returnValues ${describe(checked.returnValues)} is not allowed: expected one of ${allowed.join(', ')}`,
    )
  }
  const onFailure = options.returnValuesOnConditionCheckFailure ?? 'NONE'
  if (onFailure !== 'NONE' && onFailure !== 'ALL_OLD') {
    throw new ValidationError(
      `${checked.where}: returnValuesOnConditionCheckFailure ${describe(onFailure)} is not allowed: expected NONE or ALL_OLD`,
    )
  }
  checked.returnOld = onFailure === 'ALL_OLD'
  if (options.condition !== undefined)
    checked.condition = compileCondition(options.condition, checked.where)
  return checked
}

/** Throws `ConditionalCheckFailedError` when the write's condition does not hold. */
function enforce(checked: Checked, current: Item | undefined): void {
  if (!checked.condition || checked.condition(current)) return
  const item = checked.returnOld ? current : undefined
  throw new ConditionalCheckFailedError(
    `${checked.where}: the condition is false for the current item`,
    { item },
  )
}

function resultOf(applied: AppliedChange, attributes: Item | undefined): WriteResult {
  const result: WriteResult = {
    eventName: applied.eventName,
    sequenceNumber: applied.sequence === null ? null : formatSequenceNumber(applied.sequence),
  }
  if (attributes && Object.keys(attributes).length > 0) result.attributes = attributes
  return result
}

/** Plans a put: creates or replaces an item. */
export function planPut(
  table: ResolvedTable,
  input: unknown,
  options?: WriteOptions,
): PlannedWrite {
  const newItem = validateItem(table, input)
  const keys = extractKeys(table, newItem)
  const checked = checkOptions(table, keys, 'Put to', options, ['NONE', 'ALL_OLD'])
  return planReplace(table, keys, newItem, checked)
}

/** Plans a delete; deleting an absent item appends nothing. */
export function planDelete(
  table: ResolvedTable,
  key: unknown,
  options?: WriteOptions,
): PlannedWrite {
  const keys = extractKeys(table, key)
  const checked = checkOptions(table, keys, 'Delete from', options, ['NONE', 'ALL_OLD'])
  return planReplace(table, keys, undefined, checked)
}

/** A put (`newItem`) or a delete (undefined): the item as a whole is replaced, if allowed. */
function planReplace(
  table: ResolvedTable,
  keys: Item,
  newItem: Item | undefined,
  checked: Checked & { returnValues: ReturnValues },
): PlannedWrite {
  return {
    table,
    keys,
    run: async (tx) => {
      const oldItem = await tx.getItem(addressOf(table, keys))
      enforce(checked, oldItem)
      const applied = await applyChange(tx, table, { keys, oldItem, newItem })
      return resultOf(applied, checked.returnValues === 'ALL_OLD' ? oldItem : undefined)
    },
  }
}

/** Plans a condition check: a transaction part that writes nothing. */
export function planConditionCheck(
  table: ResolvedTable,
  key: unknown,
  options: Pick<WriteOptions, 'condition' | 'returnValuesOnConditionCheckFailure'>,
): PlannedWrite {
  const keys = extractKeys(table, key)
  if (options.condition === undefined) {
    throw new ValidationError(
      `Condition check on table "${table.name}" key ${describe(keys)}: a condition is required`,
    )
  }
  const checked = checkOptions(table, keys, 'Condition check on', options, ['NONE'])

  return {
    table,
    keys,
    run: async (tx) => {
      enforce(checked, await tx.getItem(addressOf(table, keys)))
      return { eventName: null, sequenceNumber: null }
    },
  }
}

/** Plans an update; creates the item when it does not exist, as DynamoDB does. */
export function planUpdate(
  table: ResolvedTable,
  key: unknown,
  update: ItemUpdate,
  options?: WriteOptions,
): PlannedWrite {
  const keys = extractKeys(table, key)
  const checked = checkOptions(table, keys, 'Update of', options, [
    'NONE',
    'ALL_OLD',
    'ALL_NEW',
    'UPDATED_OLD',
    'UPDATED_NEW',
  ])
  const compiled = compileItemUpdate(table, update, checked.where)

  return {
    table,
    keys,
    run: async (tx) => {
      const oldItem = await tx.getItem(addressOf(table, keys))
      enforce(checked, oldItem)
      const newItem = compiled.apply(oldItem, keys)
      checkItemSize(table, newItem)
      const applied = await applyChange(tx, table, { keys, oldItem, newItem })
      return resultOf(applied, returned(checked.returnValues, oldItem, newItem, compiled.paths))
    },
  }
}

function returned(
  returnValues: ReturnValues,
  oldItem: Item | undefined,
  newItem: Item,
  paths: Segments[],
): Item | undefined {
  if (returnValues === 'ALL_OLD') return oldItem
  if (returnValues === 'ALL_NEW') return newItem
  if (returnValues === 'UPDATED_OLD') return oldItem && project(oldItem, paths)
  if (returnValues === 'UPDATED_NEW') return project(newItem, paths)
  return undefined
}

/** Turns the `set` and `remove` shorthands and the actions into one checked update. */
function compileItemUpdate(
  table: ResolvedTable,
  update: ItemUpdate,
  where: string,
): CompiledUpdate {
  if (typeof update !== 'object' || update === null) {
    throw new ValidationError(
      `${where}: the update must be an object with set, remove or actions, got ${describe(update)}`,
    )
  }
  rejectUnknownKeys(where, update, ['set', 'remove', 'actions'])
  const set = update.set === undefined ? {} : validateItem(table, update.set)
  const remove = update.remove ?? []
  if (!Array.isArray(remove) || remove.some((name) => typeof name !== 'string')) {
    throw new ValidationError(
      `${where}: remove must be a list of attribute names, got ${describe(remove)}`,
    )
  }

  const actions: UpdateAction[] = [
    ...Object.keys(set).map((name) => ({ set: [name], value: set[name] })),
    ...remove.map((name) => ({ remove: [name] })),
    ...(update.actions ?? []),
  ]
  const keyNames = [table.partitionKey.name, table.sortKey?.name].filter((n): n is string => !!n)
  return compileUpdate(actions, keyNames, where)
}

/** Runs plans in one transaction, in order; the first failure rolls every one back. */
export async function runPlans(tx: WriteTx, plans: PlannedWrite[]): Promise<WriteResult[]> {
  const results: WriteResult[] = []
  for (const plan of plans) results.push(await plan.run(tx))
  return results
}
