/**
 * Schemas: versioned schemas of each stream's items kept in the store, compatibility modes as in
 * Confluent's Schema Registry, consumer contracts checked before registration and at run time,
 * and inference of a schema from what a stream has carried. See docs/schemas.md.
 */
import type { CompiledContract } from './runtime.ts'
import type { ContractReader } from './registry.ts'

export { checkMode, diffSchemas, directionsOf, type ModeViolation } from './compatibility.ts'
export {
  checkContract,
  contractToJsonSchema,
  type ContractDefinition,
  type FieldContract,
} from './contract.ts'
export {
  contractSchema,
  resolveStreamSchemas,
  streamSchemasSchema,
  type StreamSchemasDefinition,
} from './definition.ts'
export {
  inferSchema,
  inferStreamSchema,
  type InferOptions,
  type InferredField,
  type InferredSchema,
} from './infer.ts'
export {
  canonicalJson,
  fingerprintOf,
  flattenSchema,
  formatTypes,
  toJsonSchema,
  type SchemaInput,
} from './json-schema.ts'
export {
  checkProposal,
  planSchemas,
  registerSchemas,
  summarizeReport,
  type ContractReader,
  type ResolvedStreamSchemas,
  type SchemaCheckReport,
} from './registry.ts'
export { compileContract, type CompiledContract } from './runtime.ts'
export * from './types.ts'

/**
 * The consumers of `stream` that declare a contract, for the registry's checks. Only the
 * consumers of the config at hand are known: contracts are not kept in the store, so a consumer
 * declared only in another config that shares the store is not checked.
 */
export function readersOf(
  consumers: Iterable<{ name: string; stream: string; contract: CompiledContract | null }>,
  stream: string,
): ContractReader[] {
  return [...consumers]
    .filter((c) => c.stream === stream && c.contract !== null)
    .map((c) => ({ consumer: c.name, fields: (c.contract as CompiledContract).fields }))
}
