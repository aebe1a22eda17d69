/**
 * The run-time side of a contract: each record is checked against the consumer's contract
 * before the handler runs, and a record that does not meet it becomes a `ContractError` naming
 * the field, the expected type, the record's schema version and the consumer.
 */
import type { ErrorObject, ValidateFunction } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { ContractError, ValidationError, describeKind } from '../errors.ts'
import type { ChangeRecord } from '../streams/types.ts'
import { contractFields, contractToJsonSchema, type ContractDefinition } from './contract.ts'
import { formatTypes, withoutDialect } from './json-schema.ts'
import type { FieldMap, JsonSchema } from './types.ts'

/** A contract ready to check records. */
export interface CompiledContract {
  /** The contract as one JSON Schema. */
  schema: JsonSchema
  /** The fields the contract reads, by path. */
  fields: FieldMap
  /** Returns the error of a record that does not meet the contract, or null. */
  check(record: ChangeRecord): ContractError | null
}

/** Compiles a consumer's contract. Throws a `ValidationError` naming what is wrong. */
export function compileContract(consumer: string, contract: ContractDefinition): CompiledContract {
  const schema = contractToJsonSchema(contract)
  let validate: ValidateFunction
  try {
    // A validator per contract: a shared one would keep every compiled schema for the life of the
    // process and refuse a second contract with the same `$id`. Unknown keywords are allowed.
    const ajv = new Ajv2020({ allErrors: false, strict: false, validateFormats: false })
    validate = ajv.compile(withoutDialect(schema))
  } catch (cause) {
    throw new ValidationError(
      `contract of consumer "${consumer}" is not a valid JSON Schema: ${String(cause)}`,
      { cause },
    )
  }
  const fields = contractFields(schema)
  return { schema, fields, check: (record) => checkRecord(consumer, validate, fields, record) }
}

function checkRecord(
  consumer: string,
  validate: ValidateFunction,
  fields: FieldMap,
  record: ChangeRecord,
): ContractError | null {
  const image = record.newImage ?? record.oldImage
  if (image === undefined || validate(image)) return null

  const error = validate.errors?.[0]
  const problem = error
    ? describeError(error, fields, image)
    : { field: '(item)', expected: 'the contract', actual: 'a mismatch' }
  const version = record.schemaVersion ?? null
  const message =
    `Record ${record.sequenceNumber} of stream "${record.stream}" does not meet the contract of ` +
    `consumer "${consumer}": field "${problem.field}" ${problem.actual}, expected ${problem.expected} ` +
    `(record schema version ${version ?? 'none'})`
  return new ContractError(message, { consumer, schemaVersion: version, ...problem })
}

/** `/info/actors/0` → `info.actors[0]`. */
function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (path, step) => (/^\d+$/.test(step) ? `${path}[${step}]` : path ? `${path}.${step}` : step),
      '',
    )
}

function valueAt(image: unknown, instancePath: string): unknown {
  const steps = instancePath.split('/').slice(1)
  return steps.reduce<unknown>(
    (value, step) => (value as Record<string, unknown> | undefined)?.[step],
    image,
  )
}

function describeError(error: ErrorObject, fields: FieldMap, image: unknown) {
  const field = pathOf(error.instancePath)
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty
    const path = field ? `${field}.${missing}` : missing
    const shape = fields.get(path.replace(/\[\d+\]/g, '[]'))
    return {
      field: path,
      expected: shape ? formatTypes(shape.types) : 'a value',
      actual: 'is missing',
    }
  }

  // The kind of value, never the value: a record's fields may be secrets, and this message goes
  // to logs, to `eddy status` and into dead letters.
  const actual = `is ${describeKind(valueAt(image, error.instancePath))}`
  if (error.keyword === 'type') {
    const expected = (error.params as { type: string | string[] }).type
    return { field, expected: Array.isArray(expected) ? expected.join(' or ') : expected, actual }
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues
    return { field, expected: `one of ${JSON.stringify(allowed)}`, actual }
  }
  return {
    field: field || '(item)',
    expected: `a value that ${error.message ?? 'meets the schema'}`,
    actual,
  }
}
