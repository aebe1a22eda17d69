/** How schemas and contracts are declared in the config, and how they are validated there. */
import { z } from 'zod'
import { contractToJsonSchema, fieldPathPattern, type ContractDefinition } from './contract.ts'
import { isZodSchema, toJsonSchema, type SchemaInput } from './json-schema.ts'
import type { ResolvedStreamSchemas } from './registry.ts'
import {
  compatibilityModes,
  defaultCompatibility,
  fieldTypes,
  type CompatibilityMode,
} from './types.ts'

/** The schemas of one table's stream (or standalone stream), as the config declares them. */
export interface StreamSchemasDefinition {
  /** The stream; a table's stream has the table's name. */
  stream: string
  /** How each new version must relate to earlier ones. Default `full`. */
  compatibility?: CompatibilityMode
  /**
   * Every version, oldest first, as JSON Schema objects or zod schemas. At open each new one is
   * registered after its check; one already registered keeps its version number.
   */
  versions: SchemaInput[]
}

/** Adds an issue when `convert` throws, with its message. */
function convertible(convert: (value: never) => unknown) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    try {
      convert(value as never)
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: error instanceof Error ? error.message : String(error),
      })
    }
  }
}

const schemaInput = z
  .custom<SchemaInput>(
    (value) => isZodSchema(value) || (typeof value === 'object' && value !== null),
    {
      message: 'expected a JSON Schema object or a zod schema',
    },
  )
  .superRefine(convertible(toJsonSchema))

export const streamSchemasSchema = z
  .object({
    stream: z.string().min(1, 'name the stream'),
    compatibility: z
      .enum(compatibilityModes as [CompatibilityMode, ...CompatibilityMode[]])
      .optional(),
    versions: z.array(schemaInput).min(1, 'declare at least one schema version'),
  })
  .strict()

const fieldType = z.enum([...fieldTypes, 'any'])
const typeNames = [...fieldTypes, 'any'].join(', ')
const fieldContract = z.union(
  [
    fieldType,
    z
      .object({
        type: z.union([fieldType, z.array(z.enum(fieldTypes)).min(1)]),
        required: z.boolean().optional(),
        enum: z
          .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
          .min(1)
          .optional(),
      })
      .strict(),
  ],
  { error: `expected a type (${typeNames}) or { type, required?, enum? }` },
)

const contractFieldsSchema = z.record(z.string(), fieldContract).superRefine((fields, ctx) => {
  for (const path of Object.keys(fields)) {
    if (fieldPathPattern.test(path)) continue
    const message = `field path ${JSON.stringify(path)} is not valid: use attribute names joined by dots, such as info.rating`
    ctx.addIssue({ code: 'custom', path: [path], message })
  }
})

/** The `contract` option of a consumer: field paths, or a schema; exactly one of them. */
export const contractSchema = z
  .object({
    fields: contractFieldsSchema.optional(),
    schema: schemaInput.optional(),
  })
  .strict()
  .refine((c) => (c.fields === undefined) !== (c.schema === undefined), {
    message: 'give either fields (paths with types) or schema, not both or neither',
  })
  .superRefine(convertible((c: ContractDefinition) => contractToJsonSchema(c)))

/** Converts a stream's declared schemas to JSON Schema, with defaults filled in. */
export function resolveStreamSchemas(definition: StreamSchemasDefinition): ResolvedStreamSchemas {
  return {
    stream: definition.stream,
    compatibility: definition.compatibility ?? defaultCompatibility,
    versions: definition.versions.map(toJsonSchema),
  }
}
