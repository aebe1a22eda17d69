/**
 * Transactions across tables, as DynamoDB's TransactWriteItems: up to 100 puts, updates, deletes
 * and condition checks, each with its own condition, written all together or not at all. Two
 * requests may not touch one item. The change records of one transaction are each in their
 * item's shard; nothing orders records of different items of one transaction. Unlike DynamoDB,
 * which reports a reason per request, a cancelled transaction names the first failed condition.
 */
import {
  ConditionalCheckFailedError,
  ValidationError,
  describe,
  rejectUnknownKeys,
} from '../errors.ts'
import type { WriteTx } from '../store/index.ts'
import type { Item } from '../streams/types.ts'
import type { ResolvedTable } from './definition.ts'
import type { Condition } from './expressions/conditions.ts'
import { addressOf } from './validate.ts'
import {
  planConditionCheck,
  planDelete,
  planPut,
  planUpdate,
  type ItemUpdate,
  type PlannedWrite,
  type WriteOptions,
  type WriteResult,
} from './writes.ts'

type Conditional = Pick<WriteOptions, 'condition' | 'returnValuesOnConditionCheckFailure'>

/** One request of a transaction. */
export type TransactWriteRequest =
  | { put: { table: string; item: Item } & Conditional }
  | { update: { table: string; key: Item; update: ItemUpdate } & Conditional }
  | { delete: { table: string; key: Item } & Conditional }
  | { conditionCheck: { table: string; key: Item; condition: Condition } }

/** The most requests one transaction takes, as on DynamoDB. */
export const maxTransactionRequests = 100

/** Checks every request first; one bad request refuses the whole transaction. */
export function planTransaction(
  tableNamed: (name: string) => ResolvedTable,
  requests: TransactWriteRequest[],
): PlannedWrite[] {
  if (
    !Array.isArray(requests) ||
    requests.length === 0 ||
    requests.length > maxTransactionRequests
  ) {
    throw new ValidationError(
      `Transaction needs a list of 1 to ${maxTransactionRequests} requests, got ${describe(requests)}`,
    )
  }
  const plans = requests.map((request, index) => planOne(tableNamed, request, index))
  checkDistinctItems(plans)
  return plans
}

/** What each kind of request carries besides its table and its condition. */
const requestFields: Record<string, string[]> = {
  put: ['item'],
  update: ['key', 'update'],
  delete: ['key'],
  conditionCheck: ['key'],
}
const conditionalFields = ['condition', 'returnValuesOnConditionCheckFailure']

function pick(source: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => source[n] !== undefined).map((n) => [n, source[n]]))
}

function planOne(
  tableNamed: (name: string) => ResolvedTable,
  request: TransactWriteRequest,
  index: number,
): PlannedWrite {
  try {
    const kinds = ['put', 'update', 'delete', 'conditionCheck']
    rejectUnknownKeys(
      'expected one of { put }, { update }, { delete }, { conditionCheck }',
      request,
      kinds,
    )
    const r = (request ?? {}) as Record<string, Record<string, unknown> | undefined>
    const given = kinds.filter((kind) => r[kind] !== undefined)
    if (given.length !== 1) {
      throw new ValidationError(
        `expected exactly one of { put }, { update }, { delete } or { conditionCheck }, got ${describe(request)}`,
      )
    }
    const kind = given[0] as string
    const body = r[kind] as Record<string, unknown>
    rejectUnknownKeys(kind, body, ['table', ...requestFields[kind]!, ...conditionalFields])
    const table = tableNamed(String(body.table))
    const options = pick(body, conditionalFields) as Conditional

    if (kind === 'put') return planPut(table, body.item, options)
    if (kind === 'update') return planUpdate(table, body.key, body.update as ItemUpdate, options)
    if (kind === 'delete') return planDelete(table, body.key, options)
    return planConditionCheck(table, body.key, options)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ValidationError(`Transaction request ${index}: ${reason}`, { cause: error })
  }
}

function checkDistinctItems(plans: PlannedWrite[]): void {
  const seen = new Map<string, number>()
  plans.forEach((plan, index) => {
    const address = addressOf(plan.table, plan.keys)
    const id = `${plan.table.name}\u0000${address.partitionKey}\u0000${String(address.sortKey)}`
    const first = seen.get(id)
    if (first !== undefined) {
      throw new ValidationError(
        `Transaction requests ${first} and ${index} both touch table "${plan.table.name}" key ` +
          `${describe(plan.keys)}: a transaction may touch each item once`,
      )
    }
    seen.set(id, index)
  })
}

/** Runs the plans in `tx`; a failed condition names its request and cancels all of them. */
export async function runTransaction(tx: WriteTx, plans: PlannedWrite[]): Promise<WriteResult[]> {
  const results: WriteResult[] = []
  for (const [index, plan] of plans.entries()) {
    try {
      results.push(await plan.run(tx))
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedError)) throw error
      throw new ConditionalCheckFailedError(
        `Transaction cancelled by request ${index}: ${error.message}`,
        { item: error.item, index, cause: error },
      )
    }
  }
  return results
}
