import assert from 'node:assert/strict'
import { test } from 'node:test'
import { idOf, openFixture, putUsers, quickBackoff, tempDir } from './consumer-helpers.ts'

test('consumer records - a retry does not run again the records that already succeeded', async () => {
  using dir = tempDir()
  const runs: string[] = []
  let failures = 0
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      parkFailingKeys: true,
      retryBackoff: quickBackoff,
      handleRecord: (record) => {
        runs.push(idOf(record))
        if (idOf(record) === 'u2' && failures++ < 2) throw new Error('not yet')
      },
    },
  ])
  await putUsers(eddy, ['u1', 'u2', 'u3', 'u4'])
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  // u2 is parked while u3 and u4 go on; its retries run u2 alone.
  assert.deepEqual(runs, ['u1', 'u2', 'u3', 'u4', 'u2', 'u2'])
  await eddy.close()
})

test('consumer records - a parked key holds its later records, in order, while other keys flow', async () => {
  using dir = tempDir()
  const runs: string[] = []
  let failures = 0
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      parkFailingKeys: true,
      retryBackoff: { initialMs: 30, maxMs: 30 },
      handleRecord: (record) => {
        const label = `${idOf(record)}:${record.eventName}`
        runs.push(label)
        if (label === 'a:INSERT' && failures++ < 1) throw new Error('not yet')
      },
    },
  ])
  await eddy.table('users').put({ id: 'a', v: 1 })
  await eddy.table('users').put({ id: 'b', v: 1 })
  await eddy.table('users').put({ id: 'a', v: 2 })
  await eddy.table('users').put({ id: 'b', v: 2 })
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(runs, ['a:INSERT', 'b:INSERT', 'b:MODIFY', 'a:INSERT', 'a:MODIFY'])
  await eddy.close()
})

test('consumer records - parallelization runs keys side by side and keeps order per key', async () => {
  using dir = tempDir()
  const perKey = new Map<string, number[]>()
  let inFlight = 0
  let most = 0
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      parallelization: 4,
      handleRecord: async (record) => {
        inFlight++
        most = Math.max(most, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 2))
        const list = perKey.get(idOf(record)) ?? []
        list.push(record.newImage?.v as number)
        perKey.set(idOf(record), list)
        inFlight--
      },
    },
  ])
  for (let v = 0; v < 5; v++)
    for (const id of ['k1', 'k2', 'k3', 'k4', 'k5', 'k6']) await eddy.table('users').put({ id, v })
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  for (const list of perKey.values()) assert.deepEqual(list, [0, 1, 2, 3, 4])
  assert.ok(most > 1, `expected parallel calls, saw at most ${most}`)
  await eddy.close()
})

test('consumer records - filters pass matching records and count the rest as done', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      filters: [
        { eventName: ['INSERT'], newImage: { plan: 'pro', age: { numeric: ['>=', 18, '<', 65] } } },
        { keys: { id: { prefix: 'vip-' } }, newImage: { banned: { exists: false } } },
        { newImage: { country: { anythingBut: ['FR', 'DE'] }, plan: ['free', 'trial'] } },
      ],
      handleRecord: (record) => void seen.push(idOf(record)),
    },
  ])
  const users = eddy.table('users')
  await users.put({ id: 'adult-pro', plan: 'pro', age: 30 })
  await users.put({ id: 'child-pro', plan: 'pro', age: 12 })
  await users.put({ id: 'vip-1', plan: 'x' })
  await users.put({ id: 'vip-2', plan: 'x', banned: true })
  await users.put({ id: 'free-us', plan: 'free', country: 'US' })
  await users.put({ id: 'free-fr', plan: 'free', country: 'FR' })
  await users.put({ id: 'adult-pro', plan: 'pro', age: 31 })
  await eddy.start()
  await eddy.waitUntilCaughtUp()

  assert.deepEqual(seen, ['adult-pro', 'vip-1', 'free-us'])
  const [shard] = (await eddy.status()).consumers
  assert.equal(shard?.filteredOut, 4)
  assert.equal(shard?.behind, 0)
  await eddy.close()
})

test('consumer records - handlerTimeoutMs counts a handler that hangs as failed', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      onFailure: 'log',
      handlerTimeoutMs: 30,
      handleRecord: async (record) => {
        if (idOf(record) === 'u1')
          await new Promise((resolve) => setTimeout(resolve, 10_000).unref())
        seen.push(idOf(record))
      },
    },
  ])
  await putUsers(eddy, 2)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u2'])
  assert.match((await eddy.status()).consumers[0]?.lastError ?? '', /HandlerTimeoutError/)
  await eddy.close()
})

test('consumer records - context.transact commits the handler writes with the checkpoint', async () => {
  using dir = tempDir()
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'c',
        stream: 'users',
        onFailure: 'log',
        handleRecord: (record, context) => {
          context.transact(async (tx) => void (await tx.sendMessage('out', idOf(record))))
          if (idOf(record) === 'u2') throw new Error('dropped with its writes')
        },
      },
    ],
    { queues: ['out'] },
  )
  await putUsers(eddy, 3)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  const bodies = (await eddy.queue('out').receive({ maxMessages: 10 })).map((m) => m.body)
  assert.deepEqual(bodies, ['u1', 'u3'])
  await eddy.close()
})
