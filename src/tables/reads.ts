/**
 * Item reads beyond `get`: query one partition by sort key conditions, scan a table (optionally
 * one segment of it, for parallel scans), and batch get. Pages end, as on DynamoDB, when `limit`
 * items were examined or about 1 MB was read; `lastEvaluatedKey` is then the continuation token
 * to pass back as `exclusiveStartKey`. Filters run after the limit; projections select paths.
 */
import { ValidationError, describe } from '../errors.ts'
import type { ItemQuery, SortKeyBound, Store, StoredItem } from '../store/index.ts'
import { shardForPartitionKey } from '../streams/shards.ts'
import type { Item } from '../streams/types.ts'
import type { ResolvedTable } from './definition.ts'
import { compileCondition, type Condition, type Predicate } from './expressions/conditions.ts'
import { parsePath, project, type AttributePath, type Segments } from './expressions/paths.ts'
import { compareStrings } from './expressions/values.ts'
import { addressOf, extractKeys, itemSizeBytes, storedSortKey } from './validate.ts'

/** A condition on the sort key of a query. */
export type SortKeyCondition =
  | { op: '=' | '<' | '<=' | '>' | '>='; value: unknown }
  | { between: [unknown, unknown] }
  | { beginsWith: unknown }

/** Options shared by query and scan. */
export interface ReadPageOptions {
  /** Most items to examine in this page (before the filter). Default: up to about 1 MB. */
  limit?: number
  /** The `lastEvaluatedKey` of the previous page. */
  exclusiveStartKey?: Item
  /** Only items for which this holds are returned; it does not change what `limit` counts. */
  filter?: Condition
  /** Paths to return; default the whole item. */
  projection?: AttributePath[]
}

export interface QueryOptions extends ReadPageOptions {
  /** The partition key value. */
  partitionKey: unknown
  sortKey?: SortKeyCondition
  /** Ascending sort key order; false reads backward. Default true. */
  forward?: boolean
}

export interface ScanOptions extends ReadPageOptions {
  /** With `totalSegments`: which part of a parallel scan this is, from 0. */
  segment?: number
  totalSegments?: number
}

/** One page of a query or scan. */
export interface Page<TItem extends object = Item> {
  items: TItem[]
  /** Items returned (after the filter). */
  count: number
  /** Items examined (before the filter). */
  scannedCount: number
  /** Present when more items may follow: pass it as `exclusiveStartKey`. */
  lastEvaluatedKey?: Item
}

/** The most a page reads, in bytes, as DynamoDB's 1 MB. */
export const maxPageBytes = 1024 * 1024
const chunkSize = 256

interface PageShape {
  where: string
  limit: number
  filter: Predicate | null
  projection: Segments[] | null
}

function checkPageOptions(table: ResolvedTable, verb: string, options: ReadPageOptions): PageShape {
  const where = `${verb} table "${table.name}"`
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  if (options.limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new ValidationError(
      `${where}: limit ${describe(options.limit)} is not valid: expected a positive integer`,
    )
  }
  if (options.projection !== undefined && !Array.isArray(options.projection)) {
    throw new ValidationError(
      `${where}: projection must be a list of paths, got ${describe(options.projection)}`,
    )
  }
  return {
    where,
    limit,
    filter: options.filter === undefined ? null : compileCondition(options.filter, where),
    projection: options.projection?.map((path) => parsePath(path, where)) ?? null,
  }
}

/** Collects a page from chunks of stored items until the limit, the byte budget or the end. */
async function collectPage(
  table: ResolvedTable,
  shape: PageShape,
  nextChunk: (size: number) => Promise<StoredItem[]>,
  accept: (stored: StoredItem) => boolean = () => true,
): Promise<Page> {
  const page: Page = { items: [], count: 0, scannedCount: 0 }
  let bytes = 0
  let last: StoredItem | undefined

  for (;;) {
    const chunk = await nextChunk(chunkSize)
    for (const stored of chunk) {
      last = stored
      if (!accept(stored)) continue
      page.scannedCount++
      bytes += itemSizeBytes(stored.item)
      if (!shape.filter || shape.filter(stored.item)) {
        page.items.push(shape.projection ? project(stored.item, shape.projection) : stored.item)
      }
      if (page.scannedCount >= shape.limit || bytes >= maxPageBytes) {
        page.count = page.items.length
        page.lastEvaluatedKey = extractKeys(table, stored.item)
        return page
      }
    }
    if (chunk.length < chunkSize || !last) break
  }
  page.count = page.items.length
  return page
}

/** Reads one page of a partition. */
export async function queryPage(
  store: Store,
  table: ResolvedTable,
  options: QueryOptions,
): Promise<Page> {
  const shape = checkPageOptions(table, 'Query of', options ?? ({} as QueryOptions))
  const partitionKey = addressOf(
    table,
    extractKeys(table, partitionKeyObject(table, options)),
  ).partitionKey
  const query: ItemQuery = {
    table: table.name,
    partitionKey,
    forward: options.forward ?? true,
    limit: chunkSize,
    ...sortKeyBounds(table, options.sortKey, shape.where),
  }
  if (options.exclusiveStartKey !== undefined) {
    query.after = addressOf(table, extractKeys(table, options.exclusiveStartKey)).sortKey
  }

  return collectPage(table, shape, async (size) => {
    const chunk = await store.queryItems({ ...query, limit: size })
    const last = chunk.at(-1)
    if (last) query.after = last.address.sortKey
    return chunk
  })
}

/** Reads one page of a table, or of one segment of it. */
export async function scanPage(
  store: Store,
  table: ResolvedTable,
  options: ScanOptions = {},
): Promise<Page> {
  const shape = checkPageOptions(table, 'Scan of', options)
  const segment = checkSegment(options, shape.where)
  let after =
    options.exclusiveStartKey === undefined
      ? undefined
      : addressOf(table, extractKeys(table, options.exclusiveStartKey))

  const inSegment = (stored: StoredItem) =>
    !segment || shardForPartitionKey(stored.address.partitionKey, segment.total) === segment.index
  return collectPage(
    table,
    shape,
    async (size) => {
      const chunk = await store.scanItems({ table: table.name, after, limit: size })
      after = chunk.at(-1)?.address ?? after
      return chunk
    },
    inSegment,
  )
}

function checkSegment(
  options: ScanOptions,
  where: string,
): { index: number; total: number } | null {
  if (options.segment === undefined && options.totalSegments === undefined) return null
  const total = options.totalSegments
  const index = options.segment
  const ok =
    Number.isInteger(total) &&
    Number.isInteger(index) &&
    (total as number) >= 1 &&
    (total as number) <= 1_000_000
  if (!ok || (index as number) < 0 || (index as number) >= (total as number)) {
    throw new ValidationError(
      `${where}: segment ${describe(index)} of ${describe(total)} is not valid: expected ` +
        'totalSegments from 1 to 1,000,000 and segment from 0 to totalSegments - 1',
    )
  }
  return { index: index as number, total: total as number }
}

function partitionKeyObject(table: ResolvedTable, options: QueryOptions): Item {
  const keys: Item = { [table.partitionKey.name]: options?.partitionKey }
  // extractKeys also wants the sort key; any valid placeholder does, as only the partition is used.
  if (table.sortKey) keys[table.sortKey.name] = placeholder[table.sortKey.type]
  return keys
}

const placeholder = { string: 'x', number: 0, binary: 'AA==' }

/** Turns a sort key condition into bounds for the store. */
function sortKeyBounds(
  table: ResolvedTable,
  condition: SortKeyCondition | undefined,
  where: string,
): { lower?: SortKeyBound; upper?: SortKeyBound } {
  if (condition === undefined) return {}
  const attribute = table.sortKey
  if (!attribute)
    throw new ValidationError(`${where}: the table has no sort key, so sortKey cannot be used`)
  const value = (raw: unknown) => storedSortKey(attribute, checkedSortValue(table, raw))

  if ('between' in condition) {
    const [low, high] = Array.isArray(condition.between) ? condition.between : []
    return {
      lower: { value: value(low), inclusive: true },
      upper: { value: value(high), inclusive: true },
    }
  }
  if ('beginsWith' in condition)
    return prefixBounds(attribute.type, value(condition.beginsWith), where)

  const bound = { value: value(condition.value), inclusive: true }
  if (condition.op === '=') return { lower: bound, upper: bound }
  if (condition.op === '<' || condition.op === '<=')
    return { upper: { ...bound, inclusive: condition.op === '<=' } }
  if (condition.op === '>' || condition.op === '>=')
    return { lower: { ...bound, inclusive: condition.op === '>=' } }
  throw new ValidationError(
    `${where}: sort key condition ${describe(condition)} is not valid: expected { op: = < <= > >=, value }, ` +
      '{ between: [low, high] } or { beginsWith }',
  )
}

function checkedSortValue(table: ResolvedTable, value: unknown): unknown {
  const sortKey = table.sortKey as NonNullable<ResolvedTable['sortKey']>
  const keys = extractKeys(table, { ...partitionKeyPlaceholder(table), [sortKey.name]: value })
  return keys[sortKey.name]
}

function partitionKeyPlaceholder(table: ResolvedTable): Item {
  return { [table.partitionKey.name]: placeholder[table.partitionKey.type] }
}

/** The range of keys that begin with a prefix: from the prefix to the first key past all of them. */
function prefixBounds(
  type: 'string' | 'number' | 'binary',
  prefix: string | number | Buffer,
  where: string,
): { lower: SortKeyBound; upper?: SortKeyBound } {
  if (type === 'number')
    throw new ValidationError(`${where}: beginsWith needs a string or binary sort key`)
  const lower = { value: prefix, inclusive: true }
  const next = typeof prefix === 'string' ? nextString(prefix) : nextBytes(prefix as Buffer)
  return next === null ? { lower } : { lower, upper: { value: next, inclusive: false } }
}

function nextString(prefix: string): string | null {
  const points = [...prefix].map((char) => char.codePointAt(0) as number)
  while (points.length > 0) {
    const last = (points.pop() as number) + 1
    if (last > 0x10ffff) continue
    points.push(last === 0xd800 ? 0xe000 : last)
    const next = String.fromCodePoint(...points)
    return compareStrings(next, prefix) > 0 ? next : null
  }
  return null
}

function nextBytes(prefix: Buffer): Buffer | null {
  const bytes = Buffer.from(prefix)
  for (let index = bytes.length - 1; index >= 0; index--) {
    if ((bytes[index] as number) < 0xff) {
      bytes[index] = (bytes[index] as number) + 1
      return bytes.subarray(0, index + 1)
    }
  }
  return null
}

/** Reads up to 100 items by key, in the order asked; absent items are left out. */
export async function batchGet(
  store: Store,
  table: ResolvedTable,
  keys: unknown[],
  projection?: AttributePath[],
): Promise<Item[]> {
  const where = `Batch get from table "${table.name}"`
  if (!Array.isArray(keys) || keys.length > 100) {
    throw new ValidationError(
      `${where}: expected a list of at most 100 keys, got ${describe(keys)}`,
    )
  }
  const addresses = keys.map((key) => addressOf(table, extractKeys(table, key)))
  const paths = projection?.map((path) => parsePath(path, where))

  const items: Item[] = []
  for (const address of addresses) {
    const item = await store.getItem(address)
    if (item) items.push(paths ? project(item, paths) : item)
  }
  return items
}
