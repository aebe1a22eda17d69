/**
 * Compatibility rules between schema versions. Two versions are compared field by field (see
 * `flattenSchema`); each difference is classified by which readers it breaks:
 *
 * | change                         | breaks `forward` (old readers) | breaks `backward` (new readers) |
 * |--------------------------------|--------------------------------|---------------------------------|
 * | optional field added           | no                             | no                              |
 * | required field added           | no                             | yes                             |
 * | required field removed         | yes                            | no                              |
 * | optional field removed         | no                             | no                              |
 * | field made optional            | yes                            | no                              |
 * | field made required            | no                             | yes                             |
 * | type widened (string → string or null) | yes                    | no                              |
 * | type narrowed                  | no                             | yes                             |
 * | enum widened (value added)     | yes                            | no                              |
 * | enum narrowed (value removed)  | no                             | yes                             |
 *
 * Objects are treated as open (an added field never breaks a reader), whatever
 * `additionalProperties` says.
 */
import { flattenSchema, formatTypes } from './json-schema.ts'
import type {
  CompatibilityMode,
  Direction,
  FieldMap,
  FieldShape,
  FieldType,
  JsonSchema,
  SchemaChange,
} from './types.ts'

/** True when every type in `inner` is allowed by `outer` (an integer is a number). */
export function typesWithin(inner: FieldType[] | null, outer: FieldType[] | null): boolean {
  if (outer === null) return true
  if (inner === null) return false
  return inner.every((t) => outer.includes(t) || (t === 'integer' && outer.includes('number')))
}

/** True when every value of `inner` is allowed by `outer`; no list means any value. */
function valuesWithin(inner: unknown[] | undefined, outer: unknown[] | undefined): boolean {
  if (outer === undefined) return true
  if (inner === undefined) return false
  const allowed = new Set(outer.map((v) => JSON.stringify(v)))
  return inner.every((v) => allowed.has(JSON.stringify(v)))
}

function describeField(field: FieldShape): string {
  return `${formatTypes(field.types)}, ${field.required ? 'required' : 'optional'}`
}

function fieldChanges(before: FieldShape, after: FieldShape): SchemaChange[] {
  const changes: SchemaChange[] = []
  const path = after.path

  if (before.required && !after.required) {
    changes.push({
      path,
      kind: 'made-optional',
      detail: 'required field made optional',
      breaks: ['forward'],
    })
  }
  if (!before.required && after.required) {
    changes.push({
      path,
      kind: 'made-required',
      detail: 'optional field made required',
      breaks: ['backward'],
    })
  }

  const widened = !typesWithin(after.types, before.types)
  const narrowed = !typesWithin(before.types, after.types)
  if (widened || narrowed) {
    const breaks: Direction[] = [
      ...(widened ? ['forward' as const] : []),
      ...(narrowed ? ['backward' as const] : []),
    ]
    const detail = `type changed from ${formatTypes(before.types)} to ${formatTypes(after.types)}`
    changes.push({ path, kind: 'type-changed', detail, breaks })
  }

  if (!valuesWithin(after.enum, before.enum)) {
    const detail = `allowed values widened from ${JSON.stringify(before.enum)} to ${JSON.stringify(after.enum ?? 'any')}`
    changes.push({ path, kind: 'enum-widened', detail, breaks: ['forward'] })
  }
  if (!valuesWithin(before.enum, after.enum)) {
    const detail = `allowed values narrowed from ${JSON.stringify(before.enum ?? 'any')} to ${JSON.stringify(after.enum)}`
    changes.push({ path, kind: 'enum-narrowed', detail, breaks: ['backward'] })
  }
  return changes
}

/** True when an ancestor of `path` is in `paths` (`info` for `info.rating`, `tags` for `tags[]`). */
function underAny(path: string, paths: Set<string>): boolean {
  for (let end = path.length - 1; end > 0; end--) {
    const char = path[end]
    if ((char === '.' || char === '[') && paths.has(path.slice(0, end))) return true
  }
  return false
}

/**
 * Every difference between two versions' fields, each with the readers it breaks. A field added
 * or removed with its parent is reported once, at the parent.
 */
export function diffFields(before: FieldMap, after: FieldMap): SchemaChange[] {
  const added = new Set([...after.keys()].filter((path) => !before.has(path)))
  const removed = new Set([...before.keys()].filter((path) => !after.has(path)))
  const changes: SchemaChange[] = []

  for (const field of after.values()) {
    const old = before.get(field.path)
    if (old) changes.push(...fieldChanges(old, field))
    else if (!underAny(field.path, added)) changes.push(addition(field))
  }
  for (const field of before.values()) {
    if (removed.has(field.path) && !underAny(field.path, removed)) changes.push(removal(field))
  }
  return changes
}

function addition(field: FieldShape): SchemaChange {
  const breaks: Direction[] = field.required ? ['backward'] : []
  const detail = `${field.required ? 'required' : 'optional'} field added (${formatTypes(field.types)})`
  return { path: field.path, kind: 'field-added', detail, breaks }
}

function removal(field: FieldShape): SchemaChange {
  const breaks: Direction[] = field.required ? ['forward'] : []
  return {
    path: field.path,
    kind: 'field-removed',
    detail: `field removed (was ${describeField(field)})`,
    breaks,
  }
}

/** The differences between two schema versions. */
export function diffSchemas(before: JsonSchema, after: JsonSchema): SchemaChange[] {
  return diffFields(flattenSchema(before), flattenSchema(after))
}

/** The directions a mode protects. */
export function directionsOf(mode: CompatibilityMode): Direction[] {
  if (mode === 'none') return []
  if (mode.startsWith('backward')) return ['backward']
  if (mode.startsWith('forward')) return ['forward']
  return ['backward', 'forward']
}

/** A change that a mode refuses, and the earlier version it was compared with. */
export interface ModeViolation {
  againstVersion: number
  change: SchemaChange
}

/**
 * Checks a proposed schema against the earlier versions, oldest first, under a mode: the
 * latest one only, or every one for the `_transitive` modes. Returns what the mode refuses.
 */
export function checkMode(
  mode: CompatibilityMode,
  earlier: { version: number; schema: JsonSchema }[],
  proposed: JsonSchema,
): ModeViolation[] {
  const directions = directionsOf(mode)
  if (directions.length === 0 || earlier.length === 0) return []

  const compared = mode.endsWith('_transitive') ? earlier : earlier.slice(-1)
  const proposedFields = flattenSchema(proposed)
  return compared.flatMap(({ version, schema }) =>
    diffFields(flattenSchema(schema), proposedFields)
      .filter((change) => change.breaks.some((d) => directions.includes(d)))
      .map((change) => ({ againstVersion: version, change })),
  )
}
