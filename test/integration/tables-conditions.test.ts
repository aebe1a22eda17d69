import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConditionalCheckFailedError } from '../../src/errors.ts'
import type { Condition } from '../../src/tables/index.ts'
import { allRecords, openTemp, usersConfig } from './helpers.ts'

const item = {
  id: 'u1',
  name: 'Ada Lovelace',
  age: 36,
  tags: ['math', 'poetry'],
  address: { city: 'London', lines: ['12 St James Sq'] },
  active: true,
  nothing: null,
}

/** Each condition with whether it holds for `item`. */
const cases: [string, Condition, boolean][] = [
  ['exists', { exists: 'name' }, true],
  ['exists on a nested path', { exists: 'address.lines[0]' }, true],
  ['exists on a missing path', { exists: 'address.zip' }, false],
  ['notExists', { notExists: 'email' }, true],
  ['notExists on a present attribute', { notExists: 'age' }, false],
  ['=', { compare: { path: 'age' }, op: '=', to: { value: 36 } }, true],
  ['= on a map', { compare: { path: 'address' }, op: '=', to: { value: item.address } }, true],
  ['<>', { compare: { path: 'age' }, op: '<>', to: { value: 37 } }, true],
  ['<> on a missing attribute', { compare: { path: 'email' }, op: '<>', to: { value: 'x' } }, true],
  ['<', { compare: { path: 'age' }, op: '<', to: { value: 40 } }, true],
  ['< across types', { compare: { path: 'age' }, op: '<', to: { value: '40' } }, false],
  ['<=', { compare: { path: 'age' }, op: '<=', to: { value: 36 } }, true],
  ['>', { compare: { path: 'name' }, op: '>', to: { value: 'Ada' } }, true],
  ['>=', { compare: { path: 'age' }, op: '>=', to: { value: 37 } }, false],
  ['> on a missing attribute', { compare: { path: 'email' }, op: '>', to: { value: 'a' } }, false],
  ['comparison of two paths', { compare: { path: 'age' }, op: '>', to: { size: 'tags' } }, true],
  ['between', { between: { path: 'age' }, low: { value: 30 }, high: { value: 40 } }, true],
  ['between outside', { between: { path: 'age' }, low: { value: 37 }, high: { value: 40 } }, false],
  ['in', { in: { path: 'age' }, list: [{ value: 1 }, { value: 36 }] }, true],
  ['beginsWith', { path: 'name', beginsWith: 'Ada' }, true],
  ['beginsWith on a number', { path: 'age', beginsWith: '3' }, false],
  ['contains in a string', { path: 'name', contains: 'Love' }, true],
  ['contains in a list', { path: 'tags', contains: 'poetry' }, true],
  ['contains missing', { path: 'tags', contains: 'chess' }, false],
  ['size of a string', { compare: { size: 'name' }, op: '=', to: { value: 12 } }, true],
  ['size of a list', { compare: { size: 'tags' }, op: '=', to: { value: 2 } }, true],
  ['size of a map', { compare: { size: 'address' }, op: '=', to: { value: 2 } }, true],
  ['type S', { path: 'name', type: 'S' }, true],
  ['type N', { path: 'age', type: 'N' }, true],
  ['type L', { path: 'tags', type: 'L' }, true],
  ['type M', { path: 'address', type: 'M' }, true],
  ['type BOOL', { path: 'active', type: 'BOOL' }, true],
  ['type NULL', { path: 'nothing', type: 'NULL' }, true],
  ['type mismatch', { path: 'age', type: 'S' }, false],
  ['and', { and: [{ exists: 'name' }, { exists: 'age' }] }, true],
  ['and with one false', { and: [{ exists: 'name' }, { exists: 'email' }] }, false],
  ['or', { or: [{ exists: 'email' }, { exists: 'age' }] }, true],
  ['not', { not: { exists: 'email' } }, true],
]

for (const [name, condition, holds] of cases) {
  test(`conditions - ${name} ${holds ? 'lets' : 'refuses'} the write`, async (t) => {
    const eddy = await openTemp(t, usersConfig())
    const users = eddy.table('users')
    await users.put(item)

    const write = users.update({ id: 'u1' }, { set: { seen: 1 } }, { condition })
    if (holds) {
      assert.equal((await write).eventName, 'MODIFY')
    } else {
      await assert.rejects(write, ConditionalCheckFailedError)
      assert.equal((await users.get({ id: 'u1' }))?.seen, undefined)
    }
  })
}

test('conditions - a failed put appends no change record and can carry the current item', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  const users = eddy.table('users')
  await users.put({ id: 'u1', name: 'Ada' })

  const error = await users
    .put(
      { id: 'u1', name: 'Grace' },
      { condition: { notExists: 'id' }, returnValuesOnConditionCheckFailure: 'ALL_OLD' },
    )
    .catch((e: unknown) => e)

  assert.ok(error instanceof ConditionalCheckFailedError)
  assert.equal(error.code, 'EDDY_CONDITION_FAILED')
  assert.deepEqual(error.item, { id: 'u1', name: 'Ada' })
  assert.match(error.message, /table "users" key \{"id":"u1"\}/)
  assert.equal((await allRecords(eddy, 'users')).length, 1)
  assert.deepEqual(await users.get({ id: 'u1' }), { id: 'u1', name: 'Ada' })
})

test('conditions - put if not exists creates once', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  const users = eddy.table('users')
  const once = { condition: { notExists: 'id' } } as const

  assert.equal((await users.put({ id: 'u1', n: 1 }, once)).eventName, 'INSERT')
  await assert.rejects(users.put({ id: 'u1', n: 2 }, once), ConditionalCheckFailedError)
  assert.equal((await users.get({ id: 'u1' }))?.n, 1)
})

test('conditions - a conditional delete refuses when false and deletes when true', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  const users = eddy.table('users')
  await users.put({ id: 'u1', version: 2 })

  const stale = { condition: { compare: { path: 'version' }, op: '=', to: { value: 1 } } } as const
  await assert.rejects(users.delete({ id: 'u1' }, stale), ConditionalCheckFailedError)
  const fresh = { condition: { compare: { path: 'version' }, op: '=', to: { value: 2 } } } as const
  const result = await users.delete({ id: 'u1' }, { ...fresh, returnValues: 'ALL_OLD' })

  assert.equal(result.eventName, 'REMOVE')
  assert.deepEqual(result.attributes, { id: 'u1', version: 2 })
  assert.equal(await users.get({ id: 'u1' }), undefined)
})

test('conditions - a condition on an absent item sees no attributes', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  const users = eddy.table('users')

  await assert.rejects(
    users.delete({ id: 'nobody' }, { condition: { exists: 'id' } }),
    ConditionalCheckFailedError,
  )
  const result = await users.update(
    { id: 'u2' },
    { set: { a: 1 } },
    { condition: { notExists: 'id' } },
  )
  assert.equal(result.eventName, 'INSERT')
})

test('conditions - a malformed condition is refused before anything is written', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  const users = eddy.table('users')

  await assert.rejects(
    users.put(
      { id: 'u1' },
      { condition: { compare: { path: 'a' }, op: '!=', to: { value: 1 } } as never },
    ),
    /table "users".*comparison operator "!=" is not known/,
  )
  await assert.rejects(
    users.put({ id: 'u1' }, { condition: { bogus: 1 } as never }),
    /condition .* is not known/,
  )
  assert.equal(await users.get({ id: 'u1' }), undefined)
})
