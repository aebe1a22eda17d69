import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ValidationError } from '../../src/errors.ts'
import { allRecords, openTemp, usersConfig } from './helpers.ts'

const start = {
  id: 'u1',
  name: 'Ada',
  visits: 1,
  tags: ['a', 'b', 'c'],
  address: { city: 'London' },
}

async function withUser(t: Parameters<typeof openTemp>[0]) {
  const eddy = await openTemp(t, usersConfig())
  const users = eddy.table('users')
  await users.put(start)
  return { eddy, users }
}

test('updates - set writes nested paths and list indexes', async (t) => {
  const { users } = await withUser(t)

  await users.update(
    { id: 'u1' },
    {
      actions: [
        { set: 'address.zip', value: 'SW1' },
        { set: 'tags[1]', value: 'B' },
        { set: 'tags[9]', value: 'appended' },
        { set: ['odd.name'], value: 'dots are fine in list paths' },
      ],
    },
  )

  const item = await users.get({ id: 'u1' })
  assert.deepEqual(item?.address, { city: 'London', zip: 'SW1' })
  assert.deepEqual(item?.tags, ['a', 'B', 'c', 'appended'])
  assert.equal(item?.['odd.name'], 'dots are fine in list paths')
})

test('updates - remove deletes attributes, nested names and list elements by their old index', async (t) => {
  const { users } = await withUser(t)

  await users.update(
    { id: 'u1' },
    {
      remove: ['name'],
      actions: [
        { remove: 'tags[0]' },
        { remove: 'tags[2]' },
        { remove: 'address.city' },
        { remove: 'missing' },
      ],
    },
  )

  const item = await users.get({ id: 'u1' })
  assert.deepEqual(item, { id: 'u1', visits: 1, tags: ['b'], address: {} })
})

test('updates - add, append and setIfAbsent', async (t) => {
  const { users } = await withUser(t)

  await users.update(
    { id: 'u1' },
    {
      actions: [
        { add: 'visits', value: 2 },
        { add: 'score', value: 5 },
        { append: 'tags', values: ['d'] },
        { append: 'history', values: [1] },
        { setIfAbsent: 'name', value: 'ignored' },
        { setIfAbsent: 'plan', value: 'free' },
      ],
    },
  )

  const item = await users.get({ id: 'u1' })
  assert.equal(item?.visits, 3)
  assert.equal(item?.score, 5)
  assert.deepEqual(item?.tags, ['a', 'b', 'c', 'd'])
  assert.deepEqual(item?.history, [1])
  assert.equal(item?.name, 'Ada')
  assert.equal(item?.plan, 'free')
})

test('updates - value expressions: path, plus, minus, ifNotExists and listAppend', async (t) => {
  const { users } = await withUser(t)

  await users.update(
    { id: 'u1' },
    {
      actions: [
        { set: 'copy', to: { path: 'address.city' } },
        { set: 'next', to: { plus: [{ path: 'visits' }, { value: 10 }] } },
        { set: 'prev', to: { minus: [{ path: 'visits' }, { value: 1 }] } },
        {
          set: 'count',
          to: { plus: [{ ifNotExists: 'count', default: { value: 0 } }, { value: 1 }] },
        },
        { set: 'tags', to: { listAppend: [{ value: ['z'] }, { path: 'tags' }] } },
      ],
    },
  )

  const item = await users.get({ id: 'u1' })
  assert.equal(item?.copy, 'London')
  assert.equal(item?.next, 11)
  assert.equal(item?.prev, 0)
  assert.equal(item?.count, 1)
  assert.deepEqual(item?.tags, ['z', 'a', 'b', 'c'])
})

test('updates - return values NONE, ALL_OLD, ALL_NEW, UPDATED_OLD and UPDATED_NEW', async (t) => {
  const { users } = await withUser(t)
  const bump = { actions: [{ add: 'visits', value: 1 }] }

  assert.equal((await users.update({ id: 'u1' }, bump)).attributes, undefined)
  assert.equal(
    (await users.update({ id: 'u1' }, bump, { returnValues: 'ALL_OLD' })).attributes?.visits,
    2,
  )
  assert.equal(
    (await users.update({ id: 'u1' }, bump, { returnValues: 'ALL_NEW' })).attributes?.name,
    'Ada',
  )
  assert.deepEqual(
    (await users.update({ id: 'u1' }, bump, { returnValues: 'UPDATED_OLD' })).attributes,
    { visits: 4 },
  )
  assert.deepEqual(
    (await users.update({ id: 'u1' }, bump, { returnValues: 'UPDATED_NEW' })).attributes,
    { visits: 6 },
  )
})

test('updates - an update that creates an item is one INSERT with the key in the new image', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  await eddy.table('users').update({ id: 'new' }, { set: { name: 'Grace' } })

  const [record, ...rest] = await allRecords(eddy, 'users')
  assert.equal(rest.length, 0)
  assert.equal(record?.eventName, 'INSERT')
  assert.deepEqual(record?.newImage, { id: 'new', name: 'Grace' })
  assert.equal(record?.oldImage, undefined)
})

test('updates - a path whose parent does not exist is refused with the path named', async (t) => {
  const { users, eddy } = await withUser(t)

  await assert.rejects(
    users.update({ id: 'u1' }, { actions: [{ set: 'profile.bio', value: 'x' }] }),
    (error: unknown) =>
      error instanceof ValidationError &&
      /table "users".*path "profile.bio" cannot be used: its parent does not exist/.test(
        error.message,
      ),
  )
  await assert.rejects(
    users.update({ id: 'u1' }, { actions: [{ set: 'x', to: { path: 'nowhere' } }] }),
    /path "nowhere" cannot be used: it does not exist in the item/,
  )
  await assert.rejects(
    users.update({ id: 'u1' }, { actions: [{ add: 'name', value: 1 }] }),
    /"name" is a string of 3 characters: expected a number/,
  )
  assert.equal((await allRecords(eddy, 'users')).length, 1)
})

test('updates - key attributes and overlapping paths are refused', async (t) => {
  const { users } = await withUser(t)

  await assert.rejects(
    users.update({ id: 'u1' }, { set: { id: 'u2' } }),
    /cannot change key attribute "id"/,
  )
  await assert.rejects(
    users.update(
      { id: 'u1' },
      { actions: [{ set: 'address.city', value: 'x' }, { remove: 'address' }] },
    ),
    /paths "address.city" and "address" overlap/,
  )
})

test('updates - an update that changes nothing appends nothing', async (t) => {
  const { users, eddy } = await withUser(t)
  const result = await users.update({ id: 'u1' }, { set: { name: 'Ada' } })

  assert.equal(result.eventName, null)
  assert.equal(result.sequenceNumber, null)
  assert.equal((await allRecords(eddy, 'users')).length, 1)
})

test('updates - errors about stored values name their kind, never the value', async (t) => {
  const { users } = await withUser(t)
  await users.update({ id: 'u1' }, { set: { password: 'emilyspass' } })

  await assert.rejects(
    users.update({ id: 'u1' }, { actions: [{ add: 'password', value: 1 }] }),
    (error: unknown) =>
      error instanceof ValidationError &&
      !error.message.includes('emilyspass') &&
      /"password" is a string of 10 characters/.test(error.message),
  )
})

test('updates - an action or value expression with extra keys is refused', async (t) => {
  const { users } = await withUser(t)

  await assert.rejects(
    users.update(
      { id: 'u1' },
      { actions: [{ set: 'x', to: { path: 'name', plus: { value: 1 } } as never }] },
    ),
    /is not a value expression: expected exactly/,
  )
  await assert.rejects(
    users.update({ id: 'u1' }, { actions: [{ remove: 'name', set: 'y', value: 1 } as never] }),
    /is not an update action: expected exactly/,
  )
})

test('updates - an item nested thousands of levels deep is refused, not a crash', async (t) => {
  const { users } = await withUser(t)
  let deep: unknown = 1
  for (let i = 0; i < 5000; i++) deep = [deep]

  await assert.rejects(users.put({ id: 'deep', deep } as never), (error: unknown) => {
    return error instanceof ValidationError && /nests deeper than 32 levels/.test(error.message)
  })
})
