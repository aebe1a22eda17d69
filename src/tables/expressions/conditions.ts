/**
 * Conditions on an item, with everything DynamoDB's condition and filter expressions can say:
 * attribute exists / not exists, type, begins with, contains, comparisons between paths, values
 * and sizes, between, in, and / or / not. A condition is plain data (so that an AWS-compatible
 * endpoint can translate expressions into it); `compileCondition` checks it once and returns a
 * fast predicate.
 */
import { ValidationError, describe } from '../../errors.ts'
import { getAt, parsePath, type AttributePath, type Segments } from './paths.ts'
import { attributeTypes, isEqual, order, sizeOf, typeOf, type AttributeType } from './values.ts'

/** A value in a condition: an item's attribute, the size of one, or a literal. */
export type Operand = { path: AttributePath } | { size: AttributePath } | { value: unknown }

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>='

/** A condition on an item. An absent item has no attributes. */
export type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }
  | { exists: AttributePath }
  | { notExists: AttributePath }
  | { path: AttributePath; type: AttributeType }
  | { path: AttributePath; beginsWith: string | Operand }
  | { path: AttributePath; contains: unknown }
  | { compare: Operand; op: ComparisonOperator; to: Operand }
  | { between: Operand; low: Operand; high: Operand }
  | { in: Operand; list: Operand[] }

/** A compiled condition. */
export type Predicate = (item: Record<string, unknown> | undefined) => boolean

type Resolver = (item: Record<string, unknown> | undefined) => unknown

function ordered(test: (difference: number) => boolean) {
  return (left: unknown, right: unknown): boolean => {
    const difference = order(left, right)
    return difference !== null && test(difference)
  }
}

const comparisons: Record<ComparisonOperator, (left: unknown, right: unknown) => boolean> = {
  '=': isEqual,
  '<>': (left, right) => !isEqual(left, right),
  '<': ordered((difference) => difference < 0),
  '<=': ordered((difference) => difference <= 0),
  '>': ordered((difference) => difference > 0),
  '>=': ordered((difference) => difference >= 0),
}

/** Checks a condition and turns it into a predicate; `where` starts every error message. */
export function compileCondition(condition: unknown, where: string): Predicate {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    throw new ValidationError(`${where}: condition must be an object, got ${describe(condition)}`)
  }
  const c = condition as Record<string, unknown>

  if ('and' in c || 'or' in c) return compileJunction(c, where)
  if ('not' in c) {
    const inner = compileCondition(c.not, where)
    return (item) => !inner(item)
  }
  if ('exists' in c) return pathPredicate(c.exists, where, (value) => value !== undefined)
  if ('notExists' in c) return pathPredicate(c.notExists, where, (value) => value === undefined)
  if ('type' in c) return compileType(c, where)
  if ('beginsWith' in c) return compileBeginsWith(c, where)
  if ('contains' in c) return compileContains(c, where)
  if ('compare' in c) return compileComparison(c, where)
  if ('between' in c) return compileBetween(c, where)
  if ('in' in c) return compileIn(c, where)

  throw new ValidationError(
    `${where}: condition ${describe(condition)} is not known: expected one of and, or, not, ` +
      'exists, notExists, type, beginsWith, contains, compare, between, in',
  )
}

function compileJunction(c: Record<string, unknown>, where: string): Predicate {
  const list = 'and' in c ? c.and : c.or
  if (!Array.isArray(list) || list.length === 0) {
    throw new ValidationError(
      `${where}: and / or needs a non-empty list of conditions, got ${describe(list)}`,
    )
  }
  const parts = list.map((part) => compileCondition(part, where))
  if ('and' in c) return (item) => parts.every((part) => part(item))
  return (item) => parts.some((part) => part(item))
}

function pathPredicate(path: unknown, where: string, test: (value: unknown) => boolean): Predicate {
  const segments = parsePath(path, where)
  return (item) => test(getAt(item, segments))
}

function compileType(c: Record<string, unknown>, where: string): Predicate {
  if (!attributeTypes.includes(c.type as AttributeType)) {
    throw new ValidationError(
      `${where}: type ${describe(c.type)} is not known: expected one of ${attributeTypes.join(', ')}`,
    )
  }
  return pathPredicate(c.path, where, (value) => typeOf(value) === c.type)
}

function compileBeginsWith(c: Record<string, unknown>, where: string): Predicate {
  const segments = parsePath(c.path, where)
  const prefix =
    typeof c.beginsWith === 'string' ? () => c.beginsWith : compileOperand(c.beginsWith, where)
  return (item) => {
    const value = getAt(item, segments)
    const start = prefix(item)
    return typeof value === 'string' && typeof start === 'string' && value.startsWith(start)
  }
}

function compileContains(c: Record<string, unknown>, where: string): Predicate {
  const segments = parsePath(c.path, where)
  const needle = isOperand(c.contains) ? compileOperand(c.contains, where) : () => c.contains
  return (item) => {
    const value = getAt(item, segments)
    const wanted = needle(item)
    if (typeof value === 'string') return typeof wanted === 'string' && value.includes(wanted)
    if (Array.isArray(value)) return value.some((element) => isEqual(element, wanted))
    return false
  }
}

function compileComparison(c: Record<string, unknown>, where: string): Predicate {
  if (typeof c.op !== 'string' || !Object.hasOwn(comparisons, c.op)) {
    throw new ValidationError(
      `${where}: comparison operator ${describe(c.op)} is not known: expected one of ` +
        Object.keys(comparisons).join(' '),
    )
  }
  const compare = comparisons[c.op as ComparisonOperator]
  const left = compileOperand(c.compare, where)
  const right = compileOperand(c.to, where)
  return (item) => compare(left(item), right(item))
}

function compileBetween(c: Record<string, unknown>, where: string): Predicate {
  const value = compileOperand(c.between, where)
  const low = compileOperand(c.low, where)
  const high = compileOperand(c.high, where)
  return (item) => {
    const v = value(item)
    const fromLow = order(v, low(item))
    const toHigh = order(v, high(item))
    return fromLow !== null && toHigh !== null && fromLow >= 0 && toHigh <= 0
  }
}

function compileIn(c: Record<string, unknown>, where: string): Predicate {
  if (!Array.isArray(c.list) || c.list.length === 0 || c.list.length > 100) {
    throw new ValidationError(
      `${where}: in needs a list of 1 to 100 operands, got ${describe(c.list)}`,
    )
  }
  const value = compileOperand(c.in, where)
  const list = c.list.map((operand) => compileOperand(operand, where))
  return (item) => {
    const v = value(item)
    return list.some((operand) => isEqual(v, operand(item)))
  }
}

function isOperand(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && ['path', 'size', 'value'].includes(keys[0] as string)
}

/** Checks an operand and returns what it reads from an item. */
export function compileOperand(operand: unknown, where: string): Resolver {
  if (!isOperand(operand)) {
    throw new ValidationError(
      `${where}: operand ${describe(operand)} is not valid: expected { path }, { size } or { value }`,
    )
  }
  const o = operand as Record<string, unknown>
  if ('value' in o) {
    const value = o.value
    return () => value
  }
  const segments: Segments = parsePath('path' in o ? o.path : o.size, where)
  if ('path' in o) return (item) => getAt(item, segments)
  return (item) => sizeOf(getAt(item, segments))
}
