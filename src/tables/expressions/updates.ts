/**
 * Update actions, with everything DynamoDB's update expressions can say: SET a path (nested
 * names and list indexes) to a value, another path, `if_not_exists`, `list_append`, `+` or `-`;
 * REMOVE a path; ADD to a number. Shorthands cover the common cases: add, append, setIfAbsent.
 * Every operand reads the item as it was before the update, as on DynamoDB.
 * Items are JSON, which has no sets: ADD works on numbers only, and DELETE (from a set) is absent.
 */
import { ValidationError, describe, describeKind } from '../../errors.ts'
import { findUnstorable } from '../validate.ts'
import {
  formatPath,
  getAt,
  overlaps,
  parsePath,
  removeAt,
  setAt,
  type AttributePath,
  type Segments,
} from './paths.ts'

/** What a SET writes: a literal, another attribute, or a computation of them. */
export type ValueExpression =
  | { value: unknown }
  | { path: AttributePath }
  | { ifNotExists: AttributePath; default: ValueExpression }
  | { listAppend: [ValueExpression, ValueExpression] }
  | { plus: [ValueExpression, ValueExpression] }
  | { minus: [ValueExpression, ValueExpression] }

/** One change to an item. */
export type UpdateAction =
  | { set: AttributePath; to: ValueExpression }
  | { set: AttributePath; value: unknown }
  | { remove: AttributePath }
  /** Adds a number; an absent attribute counts as 0. */
  | { add: AttributePath; value: number }
  /** Appends to a list; an absent attribute counts as an empty list. */
  | { append: AttributePath; values: unknown[] }
  /** Sets the value only when the attribute is absent. */
  | { setIfAbsent: AttributePath; value: unknown }

type Item = Record<string, unknown>
type Evaluate = (old: Item) => unknown

/** One checked action: where it writes and what it does there. */
interface Step {
  segments: Segments
  /** The new value, computed from the old item; undefined removes the attribute. */
  compute: (old: Item) => unknown
  remove: boolean
}

/** A checked update: apply it to the old item to get the new one. */
export interface CompiledUpdate {
  /** Paths the update writes, for UPDATED_OLD and UPDATED_NEW return values. */
  paths: Segments[]
  apply(old: Item | undefined, keys: Item): Item
}

/** Checks a list of actions; `keyNames` may not be written. */
export function compileUpdate(actions: unknown, keyNames: string[], where: string): CompiledUpdate {
  if (!Array.isArray(actions)) {
    throw new ValidationError(`${where}: actions must be a list, got ${describe(actions)}`)
  }
  const steps = actions.map((action, index) => compileAction(action, `${where} action ${index}`))
  checkPaths(steps, keyNames, where)

  // Removes of list elements run from the highest index down, so indexes refer to the old list.
  const writes = steps.filter((step) => !step.remove)
  const removes = steps.filter((step) => step.remove).sort(byIndexDescending)
  return {
    paths: steps.map((step) => step.segments),
    apply: (old, keys) => applySteps(old, keys, writes, removes, where),
  }
}

function applySteps(
  old: Item | undefined,
  keys: Item,
  writes: Step[],
  removes: Step[],
  where: string,
): Item {
  const before = old ?? { ...keys }
  const values = writes.map((step) => step.compute(before))
  const item = structuredClone(before)

  writes.forEach((step, index) => {
    const value = values[index]
    if (value === undefined) return
    const problem = setAt(item, step.segments, value)
    if (problem) throw pathError(where, step.segments, problem)
  })
  for (const step of removes) {
    const problem = removeAt(item, step.segments)
    if (problem) throw pathError(where, step.segments, problem)
  }
  return item
}

/** The key sets an action or a value expression may have; anything else is refused. */
const actionShapes = [
  ['set', 'to'],
  ['set', 'value'],
  ['remove'],
  ['add', 'value'],
  ['append', 'values'],
  ['setIfAbsent', 'value'],
]
const valueShapes = [
  ['value'],
  ['ifNotExists', 'default'],
  ['path'],
  ['listAppend'],
  ['plus'],
  ['minus'],
]

/** False when the object's keys are not exactly one of the shapes (`{ path, plus }`, say). */
function hasShape(object: Record<string, unknown>, shapes: string[][]): boolean {
  const keys = Object.keys(object).sort().join(',')
  return shapes.some((shape) => [...shape].sort().join(',') === keys)
}

function compileAction(action: unknown, where: string): Step {
  const a = (typeof action === 'object' && action !== null ? action : {}) as Record<string, unknown>
  if (!hasShape(a, actionShapes)) throw notAnAction(action, where)

  if ('remove' in a)
    return { segments: parsePath(a.remove, where), compute: () => undefined, remove: true }
  if ('set' in a && 'to' in a) return setStep(a.set, compileValue(a.to, where), where)
  if ('set' in a && 'value' in a) return setStep(a.set, literal(a.value, where), where)
  if ('add' in a) return addStep(a, where)
  if ('append' in a) return appendStep(a, where)
  if ('setIfAbsent' in a) {
    const segments = parsePath(a.setIfAbsent, where)
    const value = literal(a.value, where)
    return {
      segments,
      compute: (old) => (getAt(old, segments) === undefined ? value(old) : undefined),
      remove: false,
    }
  }

  throw notAnAction(action, where)
}

function notAnAction(action: unknown, where: string): ValidationError {
  return new ValidationError(
    `${where}: ${describe(action)} is not an update action: expected exactly { set, to }, ` +
      '{ set, value }, { remove }, { add, value }, { append, values } or { setIfAbsent, value }',
  )
}

function setStep(path: unknown, compute: Evaluate, where: string): Step {
  return { segments: parsePath(path, where), compute, remove: false }
}

function addStep(a: Record<string, unknown>, where: string): Step {
  const segments = parsePath(a.add, where)
  if (typeof a.value !== 'number' || !Number.isFinite(a.value)) {
    throw new ValidationError(
      `${where}: add needs a finite number as value, got ${describe(a.value)}`,
    )
  }
  const amount = a.value
  return {
    segments,
    compute: (old) => {
      const current = getAt(old, segments) ?? 0
      if (typeof current !== 'number')
        throw typeError(where, segments, current, 'a number to add to')
      return current + amount
    },
    remove: false,
  }
}

function appendStep(a: Record<string, unknown>, where: string): Step {
  const segments = parsePath(a.append, where)
  if (!Array.isArray(a.values)) {
    throw new ValidationError(`${where}: append needs a list as values, got ${describe(a.values)}`)
  }
  const values = literal(a.values, where)
  return {
    segments,
    compute: (old) => {
      const current = getAt(old, segments) ?? []
      if (!Array.isArray(current)) throw typeError(where, segments, current, 'a list to append to')
      return [...current, ...(values(old) as unknown[])]
    },
    remove: false,
  }
}

/** Checks a value expression and returns its evaluation against the old item. */
function compileValue(expression: unknown, where: string): Evaluate {
  const e = (typeof expression === 'object' && expression !== null ? expression : {}) as Record<
    string,
    unknown
  >
  if (!hasShape(e, valueShapes)) throw notAValue(expression, where)

  if ('value' in e) return literal(e.value, where)
  if ('ifNotExists' in e) {
    const segments = parsePath(e.ifNotExists, where)
    const fallback = compileValue(e.default, where)
    return (old) => getAt(old, segments) ?? fallback(old)
  }
  if ('path' in e) {
    const segments = parsePath(e.path, where)
    return (old) => {
      const value = getAt(old, segments)
      if (value === undefined) throw pathError(where, segments, 'it does not exist in the item')
      return structuredClone(value)
    }
  }
  for (const name of ['listAppend', 'plus', 'minus'] as const)
    if (name in e) return compileBinary(name, e[name], where)

  throw notAValue(expression, where)
}

function notAValue(expression: unknown, where: string): ValidationError {
  return new ValidationError(
    `${where}: ${describe(expression)} is not a value expression: expected exactly { value }, ` +
      '{ path }, { ifNotExists, default }, { listAppend }, { plus } or { minus }',
  )
}

function compileBinary(
  name: 'listAppend' | 'plus' | 'minus',
  operands: unknown,
  where: string,
): Evaluate {
  if (!Array.isArray(operands) || operands.length !== 2) {
    throw new ValidationError(
      `${where}: ${name} needs a list of two value expressions, got ${describe(operands)}`,
    )
  }
  const left = compileValue(operands[0], where)
  const right = compileValue(operands[1], where)
  const kind = name === 'listAppend' ? 'list' : 'number'

  return (old) => {
    const a = left(old)
    const b = right(old)
    const ok =
      kind === 'list'
        ? Array.isArray(a) && Array.isArray(b)
        : typeof a === 'number' && typeof b === 'number'
    if (!ok) {
      throw new ValidationError(
        `${where}: ${name} needs two ${kind}s, got ${describeKind(a)} and ${describeKind(b)}`,
      )
    }
    if (name === 'listAppend') return [...(a as unknown[]), ...(b as unknown[])]
    return name === 'plus' ? (a as number) + (b as number) : (a as number) - (b as number)
  }
}

function literal(value: unknown, where: string): Evaluate {
  const problem = findUnstorable(value, 'value', new Set())
  if (value === undefined || problem) {
    throw new ValidationError(
      `${where}: ${problem ?? 'value is undefined, which JSON cannot hold'}`,
    )
  }
  return () => structuredClone(value)
}

function checkPaths(steps: Step[], keyNames: string[], where: string): void {
  for (const [index, step] of steps.entries()) {
    const name = step.segments[0] as string
    if (keyNames.includes(name)) {
      throw new ValidationError(
        `${where}: cannot change key attribute "${name}": delete the item and put a new one instead`,
      )
    }
    const clash = steps.slice(index + 1).find((other) => overlaps(step.segments, other.segments))
    if (clash) {
      throw new ValidationError(
        `${where}: paths "${formatPath(step.segments)}" and "${formatPath(clash.segments)}" overlap: ` +
          'an update may write each part of an item once',
      )
    }
  }
}

function byIndexDescending(a: Step, b: Step): number {
  const left = a.segments[a.segments.length - 1]
  const right = b.segments[b.segments.length - 1]
  return typeof left === 'number' && typeof right === 'number' ? right - left : 0
}

function pathError(where: string, segments: Segments, problem: string): ValidationError {
  return new ValidationError(`${where}: path "${formatPath(segments)}" cannot be used: ${problem}`)
}

function typeError(
  where: string,
  segments: Segments,
  value: unknown,
  expected: string,
): ValidationError {
  return new ValidationError(
    `${where}: "${formatPath(segments)}" is ${describeKind(value)}: expected ${expected}`,
  )
}
