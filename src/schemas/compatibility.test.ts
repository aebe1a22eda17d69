import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkMode, diffSchemas } from './compatibility.ts'
import type { CompatibilityMode, JsonSchema } from './types.ts'

function objectSchema(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, required }
}

const str = { type: 'string' }
const num = { type: 'number' }

/** Whether `mode` accepts `next` after the versions in `history`, oldest first. */
function accepts(mode: CompatibilityMode, history: JsonSchema[], next: JsonSchema): boolean {
  const earlier = history.map((schema, index) => ({ version: index + 1, schema }))
  return checkMode(mode, earlier, next).length === 0
}

const v1 = objectSchema({ id: str, name: str }, ['id', 'name'])
const addOptional = objectSchema({ id: str, name: str, email: str }, ['id', 'name'])
const addRequired = objectSchema({ id: str, name: str, email: str }, ['id', 'name', 'email'])
const removeRequired = objectSchema({ id: str }, ['id'])
const withOptional = objectSchema({ id: str, name: str, nick: str }, ['id', 'name'])
const removeOptional = objectSchema({ id: str, name: str }, ['id', 'name'])
const nameOptional = objectSchema({ id: str, name: str }, ['id'])

describe('compatibility', () => {
  test('compatibility - backward accepts a removed field and an added optional field', () => {
    assert.ok(accepts('backward', [v1], removeRequired))
    assert.ok(accepts('backward', [v1], addOptional))
  })

  test('compatibility - backward refuses an added required field', () => {
    assert.equal(accepts('backward', [v1], addRequired), false)
  })

  test('compatibility - forward accepts added fields and a removed optional field', () => {
    assert.ok(accepts('forward', [v1], addRequired))
    assert.ok(accepts('forward', [v1], addOptional))
    assert.ok(accepts('forward', [withOptional], removeOptional))
  })

  test('compatibility - forward refuses a removed required field and a field made optional', () => {
    assert.equal(accepts('forward', [v1], removeRequired), false)
    assert.equal(accepts('forward', [v1], nameOptional), false)
  })

  test('compatibility - full accepts only optional additions and removals', () => {
    assert.ok(accepts('full', [v1], addOptional))
    assert.ok(accepts('full', [withOptional], removeOptional))
    assert.equal(accepts('full', [v1], addRequired), false)
    assert.equal(accepts('full', [v1], removeRequired), false)
  })

  test('compatibility - none accepts any change', () => {
    assert.ok(accepts('none', [v1], removeRequired))
    assert.ok(accepts('none', [v1], addRequired))
  })

  test('compatibility - a type change breaks the direction that cannot read it', () => {
    const nullable = objectSchema({ id: str, name: { type: ['string', 'null'] } }, ['id', 'name'])
    assert.ok(accepts('backward', [v1], nullable))
    assert.equal(accepts('forward', [v1], nullable), false)
    assert.equal(accepts('backward', [nullable], v1), false)
    const toNumber = objectSchema({ id: str, name: num }, ['id', 'name'])
    assert.equal(accepts('backward', [v1], toNumber), false)
    assert.equal(accepts('forward', [v1], toNumber), false)
  })

  test('compatibility - an integer field may become a number backward but not forward', () => {
    const int = objectSchema({ n: { type: 'integer' } }, ['n'])
    const number = objectSchema({ n: num }, ['n'])
    assert.ok(accepts('backward', [int], number))
    assert.equal(accepts('forward', [int], number), false)
  })

  test('compatibility - a narrowed enum breaks backward and a widened enum breaks forward', () => {
    const three = objectSchema({ s: { type: 'string', enum: ['a', 'b', 'c'] } }, ['s'])
    const two = objectSchema({ s: { type: 'string', enum: ['a', 'b'] } }, ['s'])
    assert.equal(accepts('backward', [three], two), false)
    assert.ok(accepts('forward', [three], two))
    assert.ok(accepts('backward', [two], three))
    assert.equal(accepts('forward', [two], three), false)
  })

  test('compatibility - transitive modes compare with every earlier version', () => {
    const first = objectSchema({ id: str, x: str }, ['id'])
    const second = objectSchema({ id: str }, ['id'])
    const third = objectSchema({ id: str, x: num }, ['id'])
    for (const mode of ['backward', 'forward', 'full'] as const) {
      assert.ok(accepts(mode, [first, second], third), `${mode} compares with the latest only`)
      assert.equal(
        accepts(`${mode}_transitive`, [first, second], third),
        false,
        `${mode}_transitive`,
      )
    }
  })

  test('compatibility - a violation names the version it was compared with', () => {
    const [violation] = checkMode(
      'forward_transitive',
      [{ version: 7, schema: v1 }],
      removeRequired,
    )
    assert.equal(violation?.againstVersion, 7)
    assert.equal(violation?.change.path, 'name')
    assert.equal(violation?.change.kind, 'field-removed')
  })

  test('compatibility - nested fields are compared by path, and a removed parent once', () => {
    const nested = objectSchema({ info: objectSchema({ rating: num, plot: str }, ['rating']) }, [
      'info',
    ])
    const plain = objectSchema({})
    const changes = diffSchemas(nested, plain)
    assert.deepEqual(
      changes.map((c) => [c.path, c.kind]),
      [['info', 'field-removed']],
    )
    const ratingOptional = objectSchema({ info: objectSchema({ rating: num, plot: str }) }, [
      'info',
    ])
    assert.deepEqual(
      diffSchemas(nested, ratingOptional).map((c) => [c.path, c.kind, c.breaks]),
      [['info.rating', 'made-optional', ['forward']]],
    )
  })
})
