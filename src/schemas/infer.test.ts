import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inferSchema } from './infer.ts'

test('infer - a field seen in every item is required, one seen in some is optional', () => {
  const { schema, fields } = inferSchema([
    { id: 1, name: 'a', tags: ['x'] },
    { id: 2, name: 'b', nick: 'bee', tags: [] },
  ])
  assert.deepEqual(schema.required, ['id', 'name', 'tags'])
  assert.equal(fields.find((f) => f.path === 'nick')?.required, false)
  assert.deepEqual(fields.find((f) => f.path === 'tags[]')?.types, ['string'])
})

test('infer - types seen are united, and whole and fractional numbers make a number', () => {
  const { fields } = inferSchema([
    { n: 1, v: 'a' },
    { n: 1.5, v: null },
  ])
  assert.deepEqual(fields.find((f) => f.path === 'n')?.types, ['number'])
  assert.deepEqual(fields.find((f) => f.path === 'v')?.types, ['null', 'string'])
})

test('infer - nested fields are optional when their parent is', () => {
  const { fields } = inferSchema([{ info: { a: 1 } }, {}])
  assert.equal(fields.find((f) => f.path === 'info.a')?.required, false)
})
