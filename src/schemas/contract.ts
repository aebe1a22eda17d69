/**
 * Consumer contracts: what a consumer reads from the items of its stream. A contract is written
 * next to the handler, either as field paths with a type and whether the consumer needs them,
 * or as a schema. Both become one JSON Schema, which serves twice: flattened, to tell a producer
 * which consumers a new schema breaks; compiled, to check each record before the handler runs.
 */
import { ValidationError } from '../errors.ts'
import { typesWithin } from './compatibility.ts'
import { flattenSchema, formatTypes, toJsonSchema, type SchemaInput } from './json-schema.ts'
import type { ContractBreak, FieldMap, FieldShape, FieldType, JsonSchema } from './types.ts'

/** One field a consumer reads: its type(s), whether it needs it (default true), its values. */
export interface FieldContract {
  type: FieldType | FieldType[] | 'any'
  /** Default true: a record without the field fails the contract. */
  required?: boolean
  /** The only values the consumer handles. */
  enum?: (string | number | boolean | null)[]
}

/**
 * What a consumer reads. `fields` maps paths to a type (`'string'`, needed) or a
 * `FieldContract`; paths use dots and `[]` for array elements: `info.rating`, `info.actors[]`.
 * `schema` is a JSON Schema or zod schema of the items instead. Records are checked on their new
 * image, or on the old image when they carry no new one (REMOVE); a record with neither image
 * (KEYS_ONLY streams) is not checked.
 */
export type ContractDefinition =
  | { fields: Record<string, FieldType | 'any' | FieldContract>; schema?: never }
  | { schema: SchemaInput; fields?: never }

/** Path syntax: names without dots or brackets, joined by dots, each optionally ending in `[]`. */
export const fieldPathPattern = /^[^.[\]]+(\[\])?(\.[^.[\]]+(\[\])?)*$/

function leafSchema(field: FieldType | 'any' | FieldContract): JsonSchema {
  const spec = typeof field === 'string' ? { type: field } : field
  const leaf: JsonSchema = {}
  if (spec.type !== 'any') leaf.type = spec.type
  if (spec.enum) leaf.enum = spec.enum
  return leaf
}

function isRequired(field: FieldType | 'any' | FieldContract): boolean {
  return typeof field === 'string' || field.required !== false
}

/** The node of `parent` for one path segment, created as an object (or array of objects). */
function childNode(parent: JsonSchema, segment: string, required: boolean): JsonSchema {
  const isArray = segment.endsWith('[]')
  const name = isArray ? segment.slice(0, -2) : segment
  parent.type ??= 'object'
  const properties = (parent.properties ??= {}) as Record<string, JsonSchema>
  const node = (properties[name] ??= {})
  if (required) {
    const names = (parent.required ??= []) as string[]
    if (!names.includes(name)) names.push(name)
  }
  if (!isArray) return node
  node.type ??= 'array'
  return (node.items ??= {}) as JsonSchema
}

/** The JSON Schema that field paths describe: a required field makes its parents required. */
export function fieldsToJsonSchema(
  fields: Record<string, FieldType | 'any' | FieldContract>,
): JsonSchema {
  const root: JsonSchema = { type: 'object' }
  for (const [path, field] of Object.entries(fields)) {
    if (!fieldPathPattern.test(path)) {
      throw new ValidationError(
        `field path ${JSON.stringify(path)} is not valid: use names joined by dots, such as info.rating`,
      )
    }
    const segments = path.split('.')
    const last = segments.pop() as string
    let node = root
    for (const segment of segments) node = childNode(node, segment, isRequired(field))
    Object.assign(childNode(node, last, isRequired(field)), leafSchema(field))
  }
  return root
}

/** The JSON Schema of a contract. Throws a `ValidationError` naming what is wrong. */
export function contractToJsonSchema(contract: ContractDefinition): JsonSchema {
  if (contract.fields) return fieldsToJsonSchema(contract.fields)
  return toJsonSchema(contract.schema)
}

function describeShape(field: FieldShape | undefined): string {
  if (!field) return 'absent'
  const values = field.enum ? ` in ${JSON.stringify(field.enum)}` : ''
  return `${formatTypes(field.types)}${values}, ${field.required ? 'required' : 'optional'}`
}

function fieldBreaks(
  need: FieldShape,
  has: FieldShape | undefined,
  before: FieldMap | null,
): ContractBreak[] {
  const base = { path: need.path, expected: describeShape(need), actual: describeShape(has) }
  if (!has) {
    if (!need.required) return []
    return [{ ...base, kind: before?.has(need.path) ? 'field-removed' : 'field-missing' }]
  }

  const breaks: ContractBreak[] = []
  if (need.required && !has.required) breaks.push({ ...base, kind: 'made-optional' })
  if (!typesWithin(has.types, need.types)) breaks.push({ ...base, kind: 'type-changed' })
  if (need.enum) {
    const handled = new Set(need.enum.map((v) => JSON.stringify(v)))
    const provided = has.enum?.map((v) => JSON.stringify(v))
    if (!provided || provided.some((v) => !handled.has(v)))
      breaks.push({ ...base, kind: 'enum-widened' })
    else if ([...handled].some((v) => !provided.includes(v)))
      breaks.push({ ...base, kind: 'enum-narrowed' })
  }
  return breaks
}

/**
 * What a producer schema breaks in a consumer's contract: a needed field that is absent (removed
 * when the previous version had it), optional, of another type, or with values outside (or
 * missing from) the ones the consumer handles. Fields under a field the schema leaves
 * unconstrained (no properties) are not checked.
 */
export function checkContract(
  contract: FieldMap,
  schema: FieldMap,
  before: FieldMap | null,
): ContractBreak[] {
  return [...contract.values()].flatMap((need) => {
    if (!schema.has(need.path) && underOpenField(need.path, schema)) return []
    return fieldBreaks(need, schema.get(need.path), before)
  })
}

/** True when a parent of `path` is in the schema with no known fields of its own. */
function underOpenField(path: string, schema: FieldMap): boolean {
  const parent = path.replace(/(\[\]|\.[^.]+)$/, '')
  if (parent === path) return false
  const field = schema.get(parent)
  if (field && field.types === null) return true
  return field === undefined ? underOpenField(parent, schema) : false
}

/** Flattens a contract's JSON Schema into the fields it reads. */
export function contractFields(schema: JsonSchema): FieldMap {
  return flattenSchema(schema)
}
