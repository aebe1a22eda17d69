/**
 * Checks of items and keys at the table boundary. Every public table call runs these first, so
 * a bad call fails before anything reaches the writer, and a batch with one bad element writes
 * nothing.
 */
import { ValidationError, describe } from '../errors.ts'
import type { Item } from '../streams/types.ts'
import type { ItemAddress } from '../store/index.ts'
import type { KeyAttribute, ResolvedTable } from './definition.ts'

/** The largest item a table accepts, as DynamoDB allows: 400 KB. */
export const maxItemBytes = 400 * 1024

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Finds the first value JSON cannot hold faithfully; returns its path and what it is. */
function findUnstorable(value: unknown, path: string, seen: Set<object>): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`
  }
  if (typeof value !== 'object') return `${path} is ${describe(value)}, which JSON cannot hold`
  if (seen.has(value)) return `${path} refers back to itself (a cycle)`
  if (!Array.isArray(value) && !isPlainObject(value)) {
    return `${path} is a ${value.constructor?.name ?? 'non-plain'} object; use plain objects`
  }

  seen.add(value)
  const entries = Array.isArray(value)
    ? value.map((v, i) => [`[${i}]`, v] as const)
    : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const)
  for (const [step, child] of entries) {
    const problem = findUnstorable(child, `${path}${step}`, seen)
    if (problem) return problem
  }
  seen.delete(value)
  return null
}

/** Checks that `item` is a plain JSON object within the size limit. */
export function validateItem(table: ResolvedTable, item: unknown): Item {
  if (!isPlainObject(item)) {
    throw new ValidationError(
      `Item for table "${table.name}" must be a plain object, got ${describe(item)}`,
    )
  }
  const problem = findUnstorable(item, 'item', new Set())
  if (problem) throw new ValidationError(`Item for table "${table.name}" is not valid: ${problem}`)

  const sizeBytes = Buffer.byteLength(JSON.stringify(item))
  if (sizeBytes > maxItemBytes) {
    throw new ValidationError(
      `Item for table "${table.name}" is ${sizeBytes} bytes, over the limit of ${maxItemBytes} bytes`,
    )
  }
  return item
}

function checkKeyValue(table: ResolvedTable, attribute: KeyAttribute, value: unknown): void {
  if (value === undefined) {
    throw new ValidationError(
      `Key attribute "${attribute.name}" of table "${table.name}" is missing: ` +
        `expected a ${attribute.type}`,
    )
  }
  const ok =
    attribute.type === 'string'
      ? typeof value === 'string' && value.length > 0
      : typeof value === 'number' && Number.isFinite(value)
  if (!ok) {
    throw new ValidationError(
      `Key attribute "${attribute.name}" of table "${table.name}" is ${describe(value)}: ` +
        `expected a ${attribute.type === 'string' ? 'non-empty string' : 'finite number'}`,
    )
  }
}

/** The key attributes of an item or key object, checked against the table's declaration. */
export function extractKeys(table: ResolvedTable, source: unknown): Item {
  if (!isPlainObject(source)) {
    throw new ValidationError(
      `Key for table "${table.name}" must be an object with "${table.partitionKey.name}", ` +
        `got ${describe(source)}`,
    )
  }
  const keys: Item = {}
  for (const attribute of [table.partitionKey, table.sortKey]) {
    if (!attribute) continue
    checkKeyValue(table, attribute, source[attribute.name])
    keys[attribute.name] = source[attribute.name]
  }
  return keys
}

/** Where an item with these (already checked) keys is stored. */
export function addressOf(table: ResolvedTable, keys: Item): ItemAddress {
  return {
    table: table.name,
    partitionKey: JSON.stringify(keys[table.partitionKey.name]),
    sortKey: table.sortKey ? (keys[table.sortKey.name] as string | number) : '',
  }
}
