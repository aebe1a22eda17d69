import assert from 'node:assert/strict'
import { test } from 'node:test'
import { allRecords, openTemp } from './helpers.ts'

const config = {
  tables: [
    {
      name: 'sessions',
      partitionKey: { name: 'id', type: 'string' as const },
      ttlAttribute: 'expiresAt',
    },
  ],
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

test('time to live - expired items are deleted with REMOVE records marked as the service', async (t) => {
  const eddy = await openTemp(t, config)
  const sessions = eddy.table('sessions')
  await sessions.put({ id: 'old', expiresAt: nowSeconds() - 60 })
  await sessions.put({ id: 'fresh', expiresAt: nowSeconds() + 3600 })
  await sessions.put({ id: 'forever' })
  await sessions.put({ id: 'text', expiresAt: 'tomorrow' })
  await sessions.put({ id: 'gone' })
  await sessions.delete({ id: 'gone' })

  assert.ok(await sessions.get({ id: 'old' }), 'an expired item stays readable until the sweep')
  const summary = await eddy.maintain()

  assert.equal(summary.expiredItems, 1)
  assert.equal(await sessions.get({ id: 'old' }), undefined)
  assert.ok(await sessions.get({ id: 'fresh' }))
  const removes = (await allRecords(eddy, 'sessions')).filter((r) => r.eventName === 'REMOVE')
  const byId = new Map(removes.map((r) => [r.keys.id, r]))
  assert.deepEqual(byId.get('old')?.userIdentity, {
    type: 'Service',
    principalId: 'dynamodb.amazonaws.com',
  })
  assert.deepEqual(byId.get('old')?.oldImage?.id, 'old')
  assert.equal(byId.get('gone')?.userIdentity, undefined)
})

test('time to live - an update that moves the expiry is honoured, and removing it keeps the item', async (t) => {
  const eddy = await openTemp(t, config)
  const sessions = eddy.table('sessions')
  await sessions.put({ id: 'a', expiresAt: nowSeconds() + 3600 })
  await sessions.put({ id: 'b', expiresAt: nowSeconds() - 1 })
  await sessions.update({ id: 'a' }, { set: { expiresAt: nowSeconds() - 1 } })
  await sessions.update({ id: 'b' }, { remove: ['expiresAt'] })

  assert.equal((await eddy.maintain()).expiredItems, 1)
  assert.equal(await sessions.get({ id: 'a' }), undefined)
  assert.ok(await sessions.get({ id: 'b' }))
})

test('time to live - a sweep deletes many expired items in steps', async (t) => {
  const eddy = await openTemp(t, config)
  const past = nowSeconds() - 10
  await eddy
    .table('sessions')
    .batchWrite(
      Array.from({ length: 1_200 }, (_, n) => ({ put: { id: `s${n}`, expiresAt: past } })),
    )

  assert.equal((await eddy.maintain()).expiredItems, 1_200)
  assert.equal((await eddy.table('sessions').scan()).count, 0)
})
