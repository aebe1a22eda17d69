import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StreamViewType } from '../../src/streams/types.ts'
import { allRecords, openTemp, usersConfig } from './helpers.ts'

async function writeLifecycle(t: Parameters<typeof openTemp>[0], viewType: StreamViewType) {
  const eddy = await openTemp(t, usersConfig({ viewType, shards: 2 }))
  const users = eddy.table('users')
  await users.put({ id: 'u1', name: 'Ada' })
  await users.put({ id: 'u1', name: 'Ada' })
  await users.update({ id: 'u1' }, { set: { name: 'Ada L.' } })
  await users.delete({ id: 'u1' })
  await users.delete({ id: 'u1' })
  return allRecords(eddy, 'users')
}

const expectedImages: Record<StreamViewType, [boolean, boolean]> = {
  KEYS_ONLY: [false, false],
  NEW_IMAGE: [true, false],
  OLD_IMAGE: [false, true],
  NEW_AND_OLD_IMAGES: [true, true],
}

for (const [viewType, [wantsNew, wantsOld]] of Object.entries(expectedImages)) {
  test(`stream records - ${viewType} carries the images it asks for, only where they apply`, async (t) => {
    const records = await writeLifecycle(t, viewType as StreamViewType)

    assert.deepEqual(
      records.map((r) => r.eventName),
      ['INSERT', 'MODIFY', 'REMOVE'],
    )
    const [insert, modify, remove] = records
    assert.deepEqual(insert?.keys, { id: 'u1' })
    assert.deepEqual(insert?.newImage, wantsNew ? { id: 'u1', name: 'Ada' } : undefined)
    assert.equal(insert?.oldImage, undefined)
    assert.deepEqual(modify?.newImage, wantsNew ? { id: 'u1', name: 'Ada L.' } : undefined)
    assert.deepEqual(modify?.oldImage, wantsOld ? { id: 'u1', name: 'Ada' } : undefined)
    assert.equal(remove?.newImage, undefined)
    assert.deepEqual(remove?.oldImage, wantsOld ? { id: 'u1', name: 'Ada L.' } : undefined)
    assert.ok(records.every((r) => r.streamViewType === viewType && r.userIdentity === undefined))
    assert.ok(records.every((r) => !('newImage' in r) || r.newImage !== undefined))
  })
}

test('stream records - records of one item keep their order in one shard with rising sequence numbers', async (t) => {
  const eddy = await openTemp(t, usersConfig({ shards: 4 }))
  const users = eddy.table('users')
  await Promise.all(
    Array.from({ length: 50 }, (_, n) =>
      users.update({ id: `u${n % 5}` }, { actions: [{ add: 'n', value: 1 }] }),
    ),
  )

  const records = await allRecords(eddy, 'users')
  assert.equal(records.length, 50)
  for (const id of ['u0', 'u1', 'u2', 'u3', 'u4']) {
    const mine = records.filter((r) => r.keys.id === id)
    assert.equal(new Set(mine.map((r) => r.shard)).size, 1)
    assert.deepEqual(
      mine.map((r) => r.newImage?.n),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    )
  }
  assert.equal(new Set(records.map((r) => r.sequenceNumber)).size, 50)
})

test('stream records - writes return the sequence number of their change record', async (t) => {
  const eddy = await openTemp(t, usersConfig())
  const result = await eddy.table('users').put({ id: 'u1' })
  const [record] = await allRecords(eddy, 'users')
  assert.equal(result.sequenceNumber, record?.sequenceNumber)
})

test('stream records - a table without a stream appends nothing', async (t) => {
  const eddy = await openTemp(t, usersConfig(false))
  await eddy.table('users').put({ id: 'u1' })
  assert.equal((await eddy.table('users').put({ id: 'u2' })).sequenceNumber, null)
})
