/**
 * The vocabulary of schemas and contracts, shared by the registry, the compatibility rules, the
 * run-time check and the CLI. A schema is a JSON Schema object; Eddy reads the subset that
 * describes fields (type, properties, required, items, enum, const, anyOf, oneOf) and ignores the
 * rest when comparing versions, though the run-time check of a schema contract applies all of it.
 */

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown }

/** The JSON types a field can have; `integer` is a kind of `number`. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null'

export const fieldTypes: readonly FieldType[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
  'null',
]

/**
 * One field of a schema, flattened. `path` uses dots between attribute names and `[]` for the
 * elements of an array, such as `info.rating` or `info.actors[]`.
 */
export interface FieldShape {
  path: string
  /** The types the field may have; null when the schema does not constrain it. */
  types: FieldType[] | null
  /** True when every item that matches the schema has the field (and all its parents). */
  required: boolean
  /** The values the field is limited to, when the schema lists them. */
  enum?: unknown[]
}

/** The fields of a schema, by path. */
export type FieldMap = Map<string, FieldShape>

/**
 * How a new producer schema version must relate to earlier ones, as in Confluent's Schema
 * Registry:
 * - `backward`: consumers on the new version can read records written with the previous one;
 * - `forward`: consumers on the previous version can read records written with the new one;
 * - `full`: both; the `_transitive` variants compare with every earlier version, not only the
 *   latest; `none`: no check (contracts are still checked).
 */
export type CompatibilityMode =
  | 'backward'
  | 'backward_transitive'
  | 'forward'
  | 'forward_transitive'
  | 'full'
  | 'full_transitive'
  | 'none'

export const compatibilityModes: readonly CompatibilityMode[] = [
  'backward',
  'backward_transitive',
  'forward',
  'forward_transitive',
  'full',
  'full_transitive',
  'none',
]

/** Default mode: a stream is read by old consumers (forward) and replayed by new ones (backward). */
export const defaultCompatibility: CompatibilityMode = 'full'

/** Which readers a change breaks: `forward` = readers of older versions, `backward` = newer. */
export type Direction = 'backward' | 'forward'

/** What changed in a field between two schema versions. */
export type ChangeKind =
  | 'field-added'
  | 'field-removed'
  | 'type-changed'
  | 'made-optional'
  | 'made-required'
  | 'enum-narrowed'
  | 'enum-widened'

/** One difference between two schema versions. */
export interface SchemaChange {
  path: string
  kind: ChangeKind
  /** A sentence for people, such as `optional field added (string)`. */
  detail: string
  /** The readers this change breaks; empty when it breaks none. */
  breaks: Direction[]
}

/** Why a schema does not give a consumer what its contract says it reads. */
export type ContractBreakKind =
  | 'field-removed'
  | 'field-missing'
  | 'type-changed'
  | 'made-optional'
  | 'enum-narrowed'
  | 'enum-widened'

/** One field a consumer reads that a schema no longer provides as promised. */
export interface ContractBreak {
  path: string
  kind: ContractBreakKind
  /** What the consumer's contract expects, such as `string, required`. */
  expected: string
  /** What the schema now provides, such as `absent` or `number, optional`. */
  actual: string
}

/** What a proposed schema does to one consumer. */
export interface ConsumerImpact {
  consumer: string
  /** Fields the consumer reads that the proposed schema breaks; empty when it is unaffected. */
  breaks: ContractBreak[]
  /** Changes of the proposal that do not break this consumer (added optional fields and so on). */
  fine: SchemaChange[]
}

/** A schema version as the store keeps it. */
export interface StoredSchema {
  stream: string
  version: number
  /** SHA-256 of the canonical JSON; equal schemas have equal fingerprints. */
  fingerprint: string
  schema: JsonSchema
  createdAtMs: number
}
