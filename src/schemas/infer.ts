/**
 * Schema inference: a JSON Schema built from items as they really are, so that a team without
 * schemas can start from what a stream has carried. A field is required when every item (or
 * every parent object) seen had it; its types are the union of the types seen; numbers that were
 * all whole are `integer`. Enums and formats are not guessed.
 */
import type { Store } from '../store/index.ts'
import { parseSequenceNumber } from '../streams/positions.ts'
import type { Item } from '../streams/types.ts'
import type { FieldType, JsonSchema } from './types.ts'

/** How often each value was seen at one place in the items. */
interface Summary {
  /** Values seen here. */
  count: number
  /** How many of them were objects; a child is required when it was seen this often. */
  objects: number
  types: Set<FieldType>
  properties: Map<string, Summary>
  items: Summary | null
}

/** One field of an inferred schema, with how many items had it. */
export interface InferredField {
  path: string
  types: FieldType[]
  required: boolean
  /** Values seen at this path (array elements count one each). */
  seen: number
}

/** What inference found. */
export interface InferredSchema {
  schema: JsonSchema
  /** Items the schema was built from. */
  items: number
  fields: InferredField[]
}

function emptySummary(): Summary {
  return { count: 0, objects: 0, types: new Set(), properties: new Map(), items: null }
}

function typeOf(value: unknown): FieldType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value as FieldType
}

function observe(summary: Summary, value: unknown): void {
  summary.count++
  const type = typeOf(value)
  summary.types.add(type)

  if (type === 'object') {
    summary.objects++
    for (const [name, child] of Object.entries(value as Item)) {
      if (!summary.properties.has(name)) summary.properties.set(name, emptySummary())
      observe(summary.properties.get(name) as Summary, child)
    }
  }
  if (type === 'array') {
    summary.items ??= emptySummary()
    for (const element of value as unknown[]) observe(summary.items, element)
  }
}

function typesOf(summary: Summary): FieldType[] {
  const types = [...summary.types].sort()
  return types.includes('number') ? types.filter((t) => t !== 'integer') : types
}

function toSchema(summary: Summary): JsonSchema {
  const types = typesOf(summary)
  const schema: JsonSchema = { type: types.length === 1 ? types[0] : types }
  if (summary.properties.size > 0) {
    const entries = [...summary.properties].sort(([a], [b]) => a.localeCompare(b))
    schema.properties = Object.fromEntries(entries.map(([name, child]) => [name, toSchema(child)]))
    const required = entries.filter(([, child]) => child.count === summary.objects)
    if (required.length > 0) schema.required = required.map(([name]) => name)
  }
  if (summary.items && summary.items.count > 0) schema.items = toSchema(summary.items)
  return schema
}

function listFields(summary: Summary, path: string, required: boolean, out: InferredField[]): void {
  for (const [name, child] of [...summary.properties].sort(([a], [b]) => a.localeCompare(b))) {
    const childPath = path ? `${path}.${name}` : name
    const childRequired = required && child.count === summary.objects
    out.push({ path: childPath, types: typesOf(child), required: childRequired, seen: child.count })
    listFields(child, childPath, childRequired, out)
    if (child.items && child.items.count > 0) {
      const itemsPath = `${childPath}[]`
      out.push({
        path: itemsPath,
        types: typesOf(child.items),
        required: childRequired,
        seen: child.items.count,
      })
      listFields(child.items, itemsPath, childRequired, out)
    }
  }
}

/** Infers the schema of a list of items. */
export function inferSchema(items: Item[]): InferredSchema {
  const root = emptySummary()
  for (const item of items) observe(root, item)

  const fields: InferredField[] = []
  listFields(root, '', true, fields)
  const schema: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...toSchema(root),
    type: 'object',
  }
  return { schema, items: items.length, fields }
}

/** Options of `inferStreamSchema`. */
export interface InferOptions {
  /** Read at most this many records, spread over the shards. Default: every record in the stream. */
  sample?: number
}

const pageSize = 1_000

/**
 * Infers the schema of the items a stream carries, from each record's new image (or old image
 * for a REMOVE), oldest records first. Records already trimmed by retention are not seen.
 */
export async function inferStreamSchema(
  store: Store,
  stream: string,
  shardCount: number,
  options: InferOptions = {},
): Promise<InferredSchema> {
  const limit = options.sample ?? Number.POSITIVE_INFINITY
  const items: Item[] = []

  for (let shard = 0; shard < shardCount && items.length < limit; shard++) {
    const quota = Math.floor((limit - items.length) / (shardCount - shard)) || limit - items.length
    items.push(...(await readImages(store, stream, shard, quota)))
  }
  return inferSchema(items)
}

async function readImages(
  store: Store,
  stream: string,
  shard: number,
  quota: number,
): Promise<Item[]> {
  const images: Item[] = []
  let after = 0
  while (images.length < quota) {
    const records = await store.readRecords(
      stream,
      shard,
      after,
      Math.min(pageSize, quota - images.length),
    )
    if (records.length === 0) break
    for (const record of records) {
      const image = record.newImage ?? record.oldImage
      if (image) images.push(image)
    }
    after = parseSequenceNumber(records.at(-1)?.sequenceNumber ?? '0')
  }
  return images
}
