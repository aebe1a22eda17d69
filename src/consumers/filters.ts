/**
 * Record filters: a consumer's handler sees only records that match at least one of its filters
 * (filters are ORed; the conditions inside one filter are ANDed). A record left out counts as
 * done: the checkpoint passes it and it is counted as filtered out.
 *
 * A field condition is one pattern or a list of patterns (any may match). Patterns: a plain value
 * (equality), `{ prefix }`, `{ exists }`, `{ numeric: ['>=', 1, '<', 5] }`, `{ anythingBut }`.
 * Field names may be dotted paths into nested objects (`info.rating`).
 */
import { z } from 'zod'
import type { ChangeRecord, EventName, Item } from '../streams/types.ts'

type Scalar = string | number | boolean | null
type NumericOperator = '<' | '<=' | '=' | '>=' | '>'

/** One pattern a field value is tested against. */
export type FieldPattern =
  | Scalar
  | { prefix: string }
  | { exists: boolean }
  | { numeric: [NumericOperator, number] | [NumericOperator, number, NumericOperator, number] }
  | { anythingBut: Scalar[] }

/** Conditions on the fields of keys or an image, by (dotted) field name. */
export type FieldConditions = Record<string, FieldPattern | FieldPattern[]>

/** One filter: every condition given must hold. */
export interface RecordFilter {
  eventName?: EventName[]
  keys?: FieldConditions
  newImage?: FieldConditions
  oldImage?: FieldConditions
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])
const operator = z.enum(['<', '<=', '=', '>=', '>'])
const pattern = z.union([
  scalar,
  z.object({ prefix: z.string() }).strict(),
  z.object({ exists: z.boolean() }).strict(),
  z
    .object({
      numeric: z.union([
        z.tuple([operator, z.number()]),
        z.tuple([operator, z.number(), operator, z.number()]),
      ]),
    })
    .strict(),
  z.object({ anythingBut: z.array(scalar).min(1) }).strict(),
])
const conditions = z.record(z.string().min(1), z.union([pattern, z.array(pattern).min(1)]))

export const recordFilterSchema = z
  .object({
    eventName: z
      .array(z.enum(['INSERT', 'MODIFY', 'REMOVE']))
      .min(1)
      .optional(),
    keys: conditions.optional(),
    newImage: conditions.optional(),
    oldImage: conditions.optional(),
  })
  .strict()

/** True when the record matches one of the filters, or when there are none. */
export function matchesFilters(record: ChangeRecord, filters: RecordFilter[]): boolean {
  return filters.length === 0 || filters.some((filter) => matchesFilter(record, filter))
}

function matchesFilter(record: ChangeRecord, filter: RecordFilter): boolean {
  if (filter.eventName && !filter.eventName.includes(record.eventName)) return false
  return (
    matchesFields(record.keys, filter.keys) &&
    matchesFields(record.newImage, filter.newImage) &&
    matchesFields(record.oldImage, filter.oldImage)
  )
}

function matchesFields(source: Item | undefined, fields: FieldConditions | undefined): boolean {
  if (!fields) return true
  return Object.entries(fields).every(([path, patterns]) => {
    const value = valueAt(source, path)
    const list = Array.isArray(patterns) ? patterns : [patterns]
    return list.some((one) => matchesPattern(value, one))
  })
}

function valueAt(source: Item | undefined, path: string): unknown {
  let value: unknown = source
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[step]
  }
  return value
}

function matchesPattern(value: unknown, pattern: FieldPattern): boolean {
  if (pattern === null || typeof pattern !== 'object') return value === pattern
  if ('exists' in pattern) return (value !== undefined) === pattern.exists
  if (value === undefined) return false
  if ('prefix' in pattern) return typeof value === 'string' && value.startsWith(pattern.prefix)
  if ('anythingBut' in pattern) return !pattern.anythingBut.includes(value as Scalar)
  return typeof value === 'number' && matchesNumeric(value, pattern.numeric)
}

function matchesNumeric(value: number, bounds: (NumericOperator | number)[]): boolean {
  for (let index = 0; index + 1 < bounds.length; index += 2) {
    const operator = bounds[index] as NumericOperator
    const bound = bounds[index + 1] as number
    if (!compare(value, operator, bound)) return false
  }
  return true
}

function compare(value: number, operator: NumericOperator, bound: number): boolean {
  if (operator === '<') return value < bound
  if (operator === '<=') return value <= bound
  if (operator === '=') return value === bound
  if (operator === '>=') return value >= bound
  return value > bound
}
