/**
 * Document paths into items: `a.b[2].c` as text, or `['a', 'b', 2, 'c']` as a list when a name
 * holds a dot or a bracket. Reading a path never throws; writing one follows DynamoDB: the parent
 * must exist, a list index past the end appends, and names are set as own data properties, so
 * `__proto__` and `constructor` are stored as data and never reach a prototype.
 */
import { ValidationError, describe } from '../../errors.ts'

/** A path into an item: text such as `address.lines[0]`, or its segments. */
export type AttributePath = string | readonly (string | number)[]

/** A parsed path: attribute names and list indexes. */
export type Segments = readonly (string | number)[]

const textPath = /^[^.[\]]+(\[\d+\])*(\.[^.[\]]+(\[\d+\])*)*$/

/** Parses a path; throws a `ValidationError` naming `where` and the bad path. */
export function parsePath(path: unknown, where: string): Segments {
  if (Array.isArray(path)) return checkSegments(path, where)
  if (typeof path !== 'string' || !textPath.test(path)) {
    throw new ValidationError(
      `${where}: path ${describe(path)} is not valid: expected text such as "a.b[0].c" or a ` +
        'list of names and indexes such as ["a", "b", 0, "c"]',
    )
  }

  const segments: (string | number)[] = []
  for (const part of path.split('.')) {
    const [name, ...indexes] = part.split('[')
    segments.push(name as string)
    for (const index of indexes) segments.push(Number(index.slice(0, -1)))
  }
  return segments
}

function checkSegments(path: readonly unknown[], where: string): Segments {
  const ok =
    path.length > 0 &&
    typeof path[0] === 'string' &&
    path.every(
      (step) =>
        (typeof step === 'string' && step.length > 0) ||
        (typeof step === 'number' && Number.isInteger(step) && step >= 0),
    )
  if (!ok) {
    throw new ValidationError(
      `${where}: path ${describe(path)} is not valid: expected an attribute name followed by ` +
        'names and list indexes (non-negative integers)',
    )
  }
  return path as Segments
}

/** Formats segments as text, for messages. */
export function formatPath(segments: Segments): string {
  return segments
    .map((step, index) =>
      typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`,
    )
    .join('')
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The value at a path, or undefined when any step is missing. */
export function getAt(root: unknown, segments: Segments): unknown {
  let value = root
  for (const step of segments) {
    if (typeof step === 'number') {
      if (!Array.isArray(value)) return undefined
      value = value[step]
    } else {
      if (!isMap(value) || !Object.hasOwn(value, step)) return undefined
      value = value[step]
    }
  }
  return value
}

/** Why a write at a path cannot happen, or null when it can. */
function parentProblem(parent: unknown, step: string | number): string | null {
  if (parent === undefined) return 'its parent does not exist'
  if (typeof step === 'number' && !Array.isArray(parent)) return 'its parent is not a list'
  if (typeof step === 'string' && !isMap(parent)) return 'its parent is not a map'
  return null
}

/**
 * Sets the value at a path in place. Returns null, or the reason the path cannot be written
 * (the caller names the table in its error).
 */
export function setAt(
  root: Record<string, unknown>,
  segments: Segments,
  value: unknown,
): string | null {
  const parent = getAt(root, segments.slice(0, -1))
  const step = segments[segments.length - 1] as string | number
  const problem = parentProblem(parent, step)
  if (problem) return problem

  if (typeof step === 'number') {
    const list = parent as unknown[]
    if (step >= list.length) list.push(value)
    else list[step] = value
    return null
  }
  Object.defineProperty(parent, step, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
  return null
}

/** Removes the value at a path in place; a missing leaf is not an error, a missing parent is. */
export function removeAt(root: Record<string, unknown>, segments: Segments): string | null {
  const parent = getAt(root, segments.slice(0, -1))
  const step = segments[segments.length - 1] as string | number
  const problem = parentProblem(parent, step)
  if (problem) return problem

  if (typeof step === 'number') (parent as unknown[]).splice(step, 1)
  else delete (parent as Record<string, unknown>)[step]
  return null
}

/** True when one path is the other or lies inside it. */
export function overlaps(a: Segments, b: Segments): boolean {
  const length = Math.min(a.length, b.length)
  for (let index = 0; index < length; index++) if (a[index] !== b[index]) return false
  return true
}

/**
 * The parts of an item that a list of paths selects, as DynamoDB's projections do: maps keep
 * their shape, and selected list elements are packed into a shorter list in selection order.
 * Known shortcoming: two paths into one list element (`a[0].x`, `a[0].y`) give two elements.
 */
export function project(
  item: Record<string, unknown>,
  paths: readonly Segments[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const segments of paths) {
    const value = getAt(item, segments)
    if (value !== undefined) placeProjected(result, item, segments, value)
  }
  return result
}

function placeProjected(
  result: Record<string, unknown>,
  item: unknown,
  segments: Segments,
  value: unknown,
): void {
  let target: unknown = result
  let source: unknown = item
  for (let index = 0; index < segments.length; index++) {
    const step = segments[index] as string | number
    const last = index === segments.length - 1
    source = getAt(source, [step])
    const next = last ? structuredClone(value) : Array.isArray(source) ? [] : {}

    if (Array.isArray(target)) {
      // Packed lists keep one element per selected source index, in the order they are selected.
      target.push(next)
      target = next
      continue
    }
    const map = target as Record<string, unknown>
    if (!Object.hasOwn(map, String(step)) || last) setOwn(map, String(step), next)
    target = map[String(step)]
  }
}

function setOwn(map: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true })
}
