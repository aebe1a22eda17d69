/**
 * How conditions see values, as DynamoDB does: equality is deep, ordering exists only between
 * two numbers or two strings (strings in UTF-8 byte order), and a comparison with a missing
 * value is false, except `<>`, which is true.
 */
import { isDeepStrictEqual } from 'node:util'

/** DynamoDB's attribute type names; JSON items hold S, N, BOOL, NULL, L and M. */
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'L' | 'M' | 'SS' | 'NS' | 'BS'

export const attributeTypes: readonly AttributeType[] = [
  'S',
  'N',
  'B',
  'BOOL',
  'NULL',
  'L',
  'M',
  'SS',
  'NS',
  'BS',
]

/** The DynamoDB type of a stored JSON value; undefined for a missing one. */
export function typeOf(value: unknown): AttributeType | undefined {
  if (value === undefined) return undefined
  if (value === null) return 'NULL'
  if (typeof value === 'string') return 'S'
  if (typeof value === 'number') return 'N'
  if (typeof value === 'boolean') return 'BOOL'
  return Array.isArray(value) ? 'L' : 'M'
}

/** `size()`: characters of a string, elements of a list or map; undefined otherwise. */
export function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'string') return value.length
  if (Array.isArray(value)) return value.length
  if (typeof value === 'object' && value !== null) return Object.keys(value).length
  return undefined
}

export function isEqual(left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) return false
  if (typeof left !== 'object' || left === null) return left === right
  return isDeepStrictEqual(left, right)
}

/** Orders two numbers or two strings; null when they cannot be ordered. */
export function order(left: unknown, right: unknown): number | null {
  if (typeof left === 'number' && typeof right === 'number') return left - right
  if (typeof left === 'string' && typeof right === 'string') return compareStrings(left, right)
  return null
}

// JavaScript compares UTF-16 code units; DynamoDB and SQLite compare UTF-8 bytes. They differ
// only when a string holds characters above U+FFFF, so the byte comparison runs only then.
const astral = /[\uD800-\uDFFF]/

export function compareStrings(left: string, right: string): number {
  if (!astral.test(left) && !astral.test(right)) return left < right ? -1 : left > right ? 1 : 0
  return Buffer.compare(Buffer.from(left), Buffer.from(right))
}
