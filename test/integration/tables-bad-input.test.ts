import assert from 'node:assert/strict'
import { test } from 'node:test'
import { NotFoundError, ValidationError } from '../../src/errors.ts'
import { itemSizeBytes, maxItemBytes } from '../../src/tables/validate.ts'
import { openTemp } from './helpers.ts'

const config = {
  tables: [
    {
      name: 'users',
      partitionKey: { name: 'id', type: 'string' as const },
      sortKey: { name: 'n', type: 'number' as const },
    },
  ],
}

function rejectsWith(pattern: RegExp) {
  return (error: unknown) => error instanceof ValidationError && pattern.test(error.message)
}

test('bad input - an unknown table is a NotFoundError naming the known ones', async (t) => {
  const eddy = await openTemp(t, config)
  assert.throws(
    () => eddy.table('nope'),
    (e: unknown) => e instanceof NotFoundError && /"nope".*"users"/.test(e.message),
  )
})

test('bad input - missing, wrongly typed and empty keys name the table and attribute', async (t) => {
  const users = (await openTemp(t, config)).table('users')

  await assert.rejects(
    users.put({ n: 1 }),
    rejectsWith(/"id" of table "users" is missing: expected a non-empty string/),
  )
  await assert.rejects(
    users.put({ id: 'a' }),
    rejectsWith(/"n" of table "users" is missing: expected a finite number/),
  )
  await assert.rejects(
    users.put({ id: 7, n: 1 }),
    rejectsWith(/"id" of table "users" is 7: expected a non-empty string/),
  )
  await assert.rejects(
    users.put({ id: '', n: 1 }),
    rejectsWith(/"id" of table "users" is "": expected a non-empty string/),
  )
  await assert.rejects(
    users.get({ id: 'a', n: '1' }),
    rejectsWith(/"n" of table "users" is "1": expected a finite number/),
  )
  await assert.rejects(
    users.delete({ id: 'a', n: Number.NaN }),
    rejectsWith(/"n" of table "users"/),
  )
})

test('bad input - items that are not plain objects or hold what JSON cannot are refused', async (t) => {
  const users = (await openTemp(t, config)).table('users')
  const cycle: Record<string, unknown> = { id: 'a', n: 1 }
  cycle.self = cycle

  await assert.rejects(
    users.put([] as never),
    rejectsWith(/table "users" must be a plain object, got \[\]/),
  )
  await assert.rejects(users.put(new Date() as never), rejectsWith(/must be a plain object/))
  await assert.rejects(
    users.put({ id: 'a', n: 1, f: () => 1 }),
    rejectsWith(/item.f is a function/),
  )
  await assert.rejects(
    users.put({ id: 'a', n: 1, s: Symbol('x') }),
    rejectsWith(/item.s is a symbol/),
  )
  await assert.rejects(users.put(cycle), rejectsWith(/item.self refers back to itself/))
  await assert.rejects(users.put({ id: 'a', n: 1, x: Infinity }), rejectsWith(/item.x is Infinity/))
  await assert.rejects(
    users.put({ id: 'a', n: 1, x: { y: [Number.NaN] } }),
    rejectsWith(/item.x.y\[0\] is NaN/),
  )
  await assert.rejects(
    users.put({ id: 'a', n: 1, d: new Map() }),
    rejectsWith(/item.d is a Map object/),
  )
})

test('bad input - __proto__ and constructor are stored as data, never as prototypes', async (t) => {
  const users = (await openTemp(t, config)).table('users')
  const item = JSON.parse(
    '{"id":"a","n":1,"__proto__":{"polluted":true},"constructor":"c"}',
  ) as Record<string, unknown>

  await users.put(item)
  await users.update(
    { id: 'a', n: 1 },
    {
      actions: [
        { set: ['__proto__', 'more'], value: 1 },
        { set: 'prototype', value: 2 },
      ],
    },
  )
  const stored = (await users.get({ id: 'a', n: 1 })) as Record<string, unknown>

  assert.deepEqual(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value, {
    polluted: true,
    more: 1,
  })
  assert.equal(stored.constructor, 'c')
  assert.equal(Object.getPrototypeOf(stored), Object.prototype)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('bad input - items over 400 KB are refused with the size and the limit', async (t) => {
  const users = (await openTemp(t, config)).table('users')
  const big = { id: 'a', n: 1, blob: 'x'.repeat(maxItemBytes) }

  await assert.rejects(
    users.put(big),
    rejectsWith(/table "users" is 4096\d\d bytes, over the limit of 409600 bytes/),
  )
  await users.put({ id: 'a', n: 1, blob: 'x'.repeat(maxItemBytes - 10) })
  await assert.rejects(
    users.update({ id: 'a', n: 1 }, { actions: [{ set: 'more', value: 'x'.repeat(20) }] }),
    rejectsWith(/over the limit of 409600 bytes/),
  )
})

test('bad input - item size counts names plus values as DynamoDB does', () => {
  assert.equal(itemSizeBytes({ ab: 'xyz' }), 5)
  assert.equal(itemSizeBytes({ n: 12345 }), 1 + 4)
  assert.equal(itemSizeBytes({ b: true, z: null }), 4)
  assert.equal(itemSizeBytes({ l: ['a', 'b'] }), 1 + 3 + 2 + 2)
  assert.equal(itemSizeBytes({ m: { k: 'v' } }), 1 + 3 + 1 + 1 + 1)
})

test('bad input - bad update shapes, return values, queries and limits are refused', async (t) => {
  const users = (await openTemp(t, config)).table('users')
  const key = { id: 'a', n: 1 }

  await assert.rejects(
    users.update(key, { actions: [{ jump: 'x' } as never] }),
    rejectsWith(/action 0: .* is not an update action/),
  )
  await assert.rejects(
    users.update(key, { actions: [{ set: 'a..b', value: 1 }] }),
    rejectsWith(/path "a..b" is not valid/),
  )
  await assert.rejects(
    users.update(key, { actions: [{ set: 'a', value: undefined }] }),
    rejectsWith(/undefined/),
  )
  await assert.rejects(
    users.put({ ...key }, { returnValues: 'ALL_NEW' }),
    rejectsWith(/returnValues "ALL_NEW" is not allowed/),
  )
  await assert.rejects(
    users.query({ partitionKey: 'a', limit: 0 }),
    rejectsWith(/Query of table "users": limit 0/),
  )
  await assert.rejects(
    users.query({ partitionKey: 'a', sortKey: { beginsWith: 1 } }),
    rejectsWith(/beginsWith needs a string or binary sort key/),
  )
  await assert.rejects(
    users.scan({ segment: 3, totalSegments: 3 }),
    rejectsWith(/segment 3 of 3 is not valid/),
  )
})
