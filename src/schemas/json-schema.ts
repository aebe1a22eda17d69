/**
 * Turning what a user declares (a JSON Schema object or a zod schema) into one canonical JSON
 * Schema, fingerprinting it, and flattening it into fields by path for the compatibility rules.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { ValidationError, describe } from '../errors.ts'
import {
  fieldTypes,
  type FieldMap,
  type FieldShape,
  type FieldType,
  type JsonSchema,
} from './types.ts'

/** A schema as a user may declare it: JSON Schema, or a zod schema (converted to JSON Schema). */
export type SchemaInput = JsonSchema | z.ZodType

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** True for a zod (v4) schema, from this copy of zod or another. */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value
}

/**
 * The JSON Schema of a declared schema. Zod schemas convert with their input shape, so that
 * optional fields stay optional and objects stay open to added fields. Throws a
 * `ValidationError` naming what is wrong.
 */
export function toJsonSchema(input: unknown): JsonSchema {
  let schema: unknown = input
  if (isZodSchema(input)) {
    try {
      schema = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' })
    } catch (cause) {
      throw new ValidationError(`zod schema cannot be converted to JSON Schema: ${String(cause)}`, {
        cause,
      })
    }
  }
  if (!isPlainObject(schema)) {
    throw new ValidationError(
      `expected a JSON Schema object or a zod schema, got ${describe(input)}`,
    )
  }
  const roundTripped = JSON.parse(JSON.stringify(schema)) as JsonSchema
  if (roundTripped.type !== undefined && roundTripped.type !== 'object') {
    throw new ValidationError(
      `expected a schema of objects (type "object"), got type ${describe(roundTripped.type)}`,
    )
  }
  return roundTripped
}

/** JSON with object keys sorted at every level, so equal schemas give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The schema without its `$schema` dialect line, which says nothing about the items. */
export function withoutDialect(schema: JsonSchema): JsonSchema {
  const copy = { ...schema }
  delete copy.$schema
  return copy
}

/** SHA-256 of the canonical JSON, in hex; the `$schema` dialect line does not count. */
export function fingerprintOf(schema: JsonSchema): string {
  return createHash('sha256')
    .update(canonicalJson(withoutDialect(schema)))
    .digest('hex')
}

/** The node a schema keyword holds, when it is an object. */
function nodeOf(value: unknown): JsonSchema | null {
  return isPlainObject(value) ? value : null
}

function typesOf(node: JsonSchema): FieldType[] | null {
  const declared = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type]
  const types = declared.filter((t): t is FieldType => fieldTypes.includes(t as FieldType))
  if (node.nullable === true) types.push('null')
  if (types.length > 0) return [...new Set(types)]
  if (node.properties !== undefined) return ['object']
  if (node.items !== undefined) return ['array']
  return null
}

function enumOf(node: JsonSchema): unknown[] | undefined {
  if ('const' in node) return [node.const]
  return Array.isArray(node.enum) ? node.enum : undefined
}

/**
 * Merges the alternatives of `anyOf` / `oneOf` into one node: the union of their types and
 * values, and of their properties, a property being required only when every object
 * alternative requires it.
 */
function mergeAlternatives(node: JsonSchema): JsonSchema {
  const alternatives = [node.anyOf, node.oneOf].find(Array.isArray)?.map(nodeOf)
  if (!alternatives || alternatives.some((a) => a === null)) return node
  const parts = (alternatives as JsonSchema[]).map(mergeAlternatives)

  const types = parts.map(typesOf)
  const enums = parts.map(enumOf)
  const objects = parts.filter((p) => nodeOf(p.properties))
  const merged: JsonSchema = { ...node, anyOf: undefined, oneOf: undefined }
  if (!types.includes(null)) merged.type = [...new Set(types.flat())]
  if (enums.every((values) => values !== undefined)) merged.enum = [...new Set(enums.flat())]
  if (objects.length > 0) {
    merged.properties = Object.assign({}, ...objects.map((o) => o.properties))
    const required = objects.map((o) => (Array.isArray(o.required) ? o.required : []))
    merged.required = required.reduce((a, b) => a.filter((name) => b.includes(name)))
  }
  const items = parts.map((p) => p.items).find((i) => i !== undefined)
  if (items !== undefined) merged.items = items
  return merged
}

function addFields(node: JsonSchema, path: string, required: boolean, out: FieldMap): void {
  const merged = mergeAlternatives(node)
  if (path !== '') {
    const field: FieldShape = { path, types: typesOf(merged), required }
    const values = enumOf(merged)
    if (values) field.enum = values
    out.set(path, field)
  }

  const properties = nodeOf(merged.properties) ?? {}
  const requiredNames = Array.isArray(merged.required) ? merged.required : []
  for (const [name, child] of Object.entries(properties)) {
    const childNode = nodeOf(child)
    if (!childNode || name.includes('.')) continue
    const childPath = path === '' ? name : `${path}.${name}`
    addFields(childNode, childPath, required && requiredNames.includes(name), out)
  }

  const items = nodeOf(merged.items)
  if (items && path !== '') addFields(items, `${path}[]`, required, out)
}

/**
 * Flattens a schema of objects into its fields by path (`info.rating`, `info.actors[]`).
 * `$ref` and `allOf` are not followed: a field behind them counts as unconstrained (any type).
 */
export function flattenSchema(schema: JsonSchema): FieldMap {
  const out: FieldMap = new Map()
  addFields(schema, '', true, out)
  return out
}

/** `string`, `number or null`, or `any type`, for messages. */
export function formatTypes(types: FieldType[] | null): string {
  return types === null ? 'any type' : types.join(' or ')
}
