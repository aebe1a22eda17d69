import assert from 'node:assert/strict'
import { test } from 'node:test'
import { z } from 'zod'
import type { ChangeRecord } from '../streams/types.ts'
import { checkContract, contractToJsonSchema, fieldsToJsonSchema } from './contract.ts'
import { flattenSchema } from './json-schema.ts'
import { compileContract } from './runtime.ts'

function record(newImage: Record<string, unknown>, schemaVersion?: number): ChangeRecord {
  return {
    eventId: 'e1',
    eventName: 'INSERT',
    stream: 'movies',
    shard: 'shard-0000',
    sequenceNumber: '00000000000000000007',
    createdAtMs: 0,
    keys: {},
    newImage,
    sizeBytes: 0,
    streamViewType: 'NEW_IMAGE',
    ...(schemaVersion === undefined ? {} : { schemaVersion }),
  }
}

test('contract - field paths become a schema whose needed fields make their parents needed', () => {
  const schema = fieldsToJsonSchema({
    title: 'string',
    'info.rating': { type: 'number', required: false },
    'info.plot': 'string',
    'info.actors[]': 'string',
  })
  const fields = flattenSchema(schema)
  assert.equal(fields.get('info')?.required, true)
  assert.equal(fields.get('info.rating')?.required, false)
  assert.equal(fields.get('info.plot')?.required, true)
  assert.deepEqual(fields.get('info.actors[]')?.types, ['string'])
})

test('contract - a path with an empty name is refused', () => {
  assert.throws(
    () => contractToJsonSchema({ fields: { 'info..rating': 'number' } }),
    /info\.\.rating/,
  )
})

test('contract - a zod schema contract keeps optional fields optional', () => {
  const schema = contractToJsonSchema({
    schema: z.object({ title: z.string(), rating: z.number().nullable().optional() }),
  })
  const fields = flattenSchema(schema)
  assert.equal(fields.get('title')?.required, true)
  assert.equal(fields.get('rating')?.required, false)
  assert.deepEqual(fields.get('rating')?.types, ['number', 'null'])
})

test('contract - a schema that leaves a field unconstrained does not break readers below it', () => {
  const contract = flattenSchema(fieldsToJsonSchema({ 'info.rating': 'number' }))
  const open = flattenSchema({ type: 'object', properties: { info: {} }, required: ['info'] })
  assert.deepEqual(
    checkContract(contract, open, null).map((b) => [b.path, b.kind]),
    [['info', 'type-changed']],
  )
})

test('contract - the run-time check names field, expected type, schema version and consumer', () => {
  const contract = compileContract('ratings', {
    fields: { 'info.rating': 'number', 'info.plot': 'string' },
  })
  assert.equal(contract.check(record({ info: { rating: 8.1, plot: 'A plot' } }, 3)), null)

  const wrongType = contract.check(record({ info: { rating: 'high', plot: 'x' } }, 3))
  assert.equal(wrongType?.code, 'EDDY_CONTRACT')
  assert.match(
    wrongType?.message ?? '',
    /consumer "ratings": field "info.rating" is a string of 4 characters, expected number \(record schema version 3\)/,
  )
  assert.deepEqual(wrongType?.details, {
    consumer: 'ratings',
    field: 'info.rating',
    expected: 'number',
    actual: 'is a string of 4 characters',
    schemaVersion: 3,
  })

  const missing = contract.check(record({ info: { rating: 7 } }))
  assert.match(
    missing?.message ?? '',
    /field "info.plot" is missing, expected string \(record schema version none\)/,
  )
})

test('contract - a record without images is not checked', () => {
  const contract = compileContract('c', { fields: { title: 'string' } })
  const keysOnly = { ...record({}), newImage: undefined, streamViewType: 'KEYS_ONLY' as const }
  assert.equal(contract.check(keysOnly), null)
})

test('contract - values outside a contract enum are named', () => {
  const contract = compileContract('c', {
    fields: { status: { type: 'string', enum: ['active'] } },
  })
  assert.match(
    contract.check(record({ status: 'gone' }))?.message ?? '',
    /field "status" is a string of 4 characters, expected one of \["active"\]/,
  )
})
