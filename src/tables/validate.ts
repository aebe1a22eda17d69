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

/**
 * Deeper than this, an item is refused before it is walked any further: DynamoDB allows 32
 * levels, and an unbounded walk of hostile input would overflow the stack.
 */
const maxWalkDepth = 64

/** Finds the first value JSON cannot hold faithfully; returns its path and what it is. */
export function findUnstorable(
  value: unknown,
  path: string,
  seen: Set<object>,
  depth = 0,
): string | null {
  if (depth > maxWalkDepth) return `${path.slice(0, 60)}... nests deeper than 32 levels`
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
    const problem = findUnstorable(child, `${path}${step}`, seen, depth + 1)
    if (problem) return problem
  }
  seen.delete(value)
  return null
}

/** Checks that `item` is a plain JSON object within the size limit. */
export function validateItem(table: ResolvedTable, input: unknown): Item {
  if (!isPlainObject(input)) {
    throw new ValidationError(
      `Item for table "${table.name}" must be a plain object, got ${describe(input)}`,
    )
  }
  const item = withBinaryKeysEncoded(table, input)
  checkItemSize(table, item)
  return item
}

/** Refuses an item over 400 KB, measured as DynamoDB does, or one JSON cannot hold. */
export function checkItemSize(table: ResolvedTable, item: Item): void {
  const sizeBytes = itemSizeBytes(item)
  if (Number.isNaN(sizeBytes)) {
    const problem =
      findUnstorable(item, 'item', new Set()) ?? `item nests deeper than ${maxDepth} levels`
    throw new ValidationError(`Item for table "${table.name}" is not valid: ${problem}`)
  }
  if (sizeBytes > maxItemBytes) {
    throw new ValidationError(
      `Item for table "${table.name}" is ${sizeBytes} bytes, over the limit of ${maxItemBytes} ` +
        'bytes (attribute names plus values, as DynamoDB counts them)',
    )
  }
}

/** How deep maps and lists may nest, as on DynamoDB. */
export const maxDepth = 32

/**
 * An item's size as DynamoDB counts it: each attribute's name in UTF-8 plus its value; a string
 * is its UTF-8 length, a number about one byte per two significant digits plus one, a boolean or
 * null one byte, and a list or map three bytes plus one per element plus its elements.
 */
export function itemSizeBytes(item: Item): number {
  let total = 0
  for (const name in item) {
    if (Object.hasOwn(item, name)) total += Buffer.byteLength(name) + valueSizeBytes(item[name], 1)
  }
  return total
}

/** The size of one value, or NaN when JSON cannot hold it or it nests too deep (a cycle does). */
function valueSizeBytes(value: unknown, depth: number): number {
  if (typeof value === 'string') return Buffer.byteLength(value)
  if (typeof value === 'number') return Number.isFinite(value) ? numberSizeBytes(value) : Number.NaN
  if (value === null || typeof value === 'boolean') return 1
  if (typeof value !== 'object' || depth > maxDepth) return Number.NaN
  if (Array.isArray(value)) {
    let total = 3
    for (const element of value) total += 1 + valueSizeBytes(element, depth + 1)
    return total
  }
  if (!isPlainObject(value)) return Number.NaN

  let total = 3
  for (const name in value) {
    if (Object.hasOwn(value, name))
      total += 1 + Buffer.byteLength(name) + valueSizeBytes(value[name], depth + 1)
  }
  return total
}

function numberSizeBytes(value: number): number {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    return Math.ceil(String(Math.abs(value)).replace(/0+$/, '').length / 2) + 1
  }
  const digits = String(Math.abs(value)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '')
  return Math.min(21, Math.ceil(Math.max(digits.length, 1) / 2) + 1)
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const expectedKey = {
  string: 'a non-empty string',
  number: 'a finite number',
  binary: 'a non-empty Buffer or base64 string',
}

function isKeyValue(type: KeyAttribute['type'], value: unknown): boolean {
  if (type === 'string') return typeof value === 'string' && value.length > 0
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value)
  if (value instanceof Uint8Array) return value.length > 0
  return typeof value === 'string' && value.length > 0 && base64.test(value)
}

/** DynamoDB's limits on key values: 2,048 bytes for a partition key, 1,024 for a sort key. */
const maxPartitionKeyBytes = 2048
const maxSortKeyBytes = 1024

function keyBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value)
  if (value instanceof Uint8Array) return value.byteLength
  return 0
}

function checkKeyValue(table: ResolvedTable, attribute: KeyAttribute, value: unknown): void {
  if (value === undefined) {
    throw new ValidationError(
      `Key attribute "${attribute.name}" of table "${table.name}" is missing: ` +
        `expected ${expectedKey[attribute.type]}`,
    )
  }
  if (!isKeyValue(attribute.type, value)) {
    throw new ValidationError(
      `Key attribute "${attribute.name}" of table "${table.name}" is ${describe(value)}: ` +
        `expected ${expectedKey[attribute.type]}`,
    )
  }
  const limit = attribute === table.partitionKey ? maxPartitionKeyBytes : maxSortKeyBytes
  const sizeBytes = keyBytes(value)
  if (sizeBytes > limit) {
    throw new ValidationError(
      `Key attribute "${attribute.name}" of table "${table.name}" is ${sizeBytes} bytes, ` +
        `over the limit of ${limit} bytes for a ${attribute === table.partitionKey ? 'partition' : 'sort'} key`,
    )
  }
}

/** Binary key values are stored as base64 text; a Buffer given for one is encoded. */
function withBinaryKeysEncoded(table: ResolvedTable, item: Record<string, unknown>): Item {
  let copy: Item | null = null
  for (const attribute of [table.partitionKey, table.sortKey]) {
    const value = attribute && item[attribute.name]
    if (attribute?.type !== 'binary' || !(value instanceof Uint8Array)) continue
    copy ??= { ...item }
    copy[attribute.name] = Buffer.from(value).toString('base64')
  }
  return copy ?? item
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
    const value = source[attribute.name]
    checkKeyValue(table, attribute, value)
    keys[attribute.name] =
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value
  }
  return keys
}

/** Where an item with these (already checked) keys is stored. */
export function addressOf(table: ResolvedTable, keys: Item): ItemAddress {
  return {
    table: table.name,
    partitionKey: JSON.stringify(keys[table.partitionKey.name]),
    sortKey: table.sortKey ? storedSortKey(table.sortKey, keys[table.sortKey.name]) : '',
  }
}

/** A sort key as the store orders it: binary keys as bytes, so they sort as DynamoDB sorts them. */
export function storedSortKey(attribute: KeyAttribute, value: unknown): string | number | Buffer {
  if (attribute.type === 'binary') return Buffer.from(value as string, 'base64')
  return value as string | number
}
