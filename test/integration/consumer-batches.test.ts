import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ChangeRecord } from '../../src/streams/types.ts'
import { idOf, openFixture, putUsers, quickBackoff, tempDir } from './consumer-helpers.ts'

const ids = (records: ChangeRecord[]) => records.map(idOf).join(',')

test('consumer batches - partial failure retries from the lowest failed record', async () => {
  using dir = tempDir()
  const calls: string[] = []
  let failOnce = true
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      retryBackoff: quickBackoff,
      handleBatch: (records) => {
        calls.push(ids(records))
        const u3 = records.find((record) => idOf(record) === 'u3')
        if (u3 && failOnce) {
          failOnce = false
          return { batchItemFailures: [{ itemIdentifier: u3.sequenceNumber }] }
        }
      },
    },
  ])
  await putUsers(eddy, 5)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(calls, ['u1,u2,u3,u4,u5', 'u3,u4,u5'])
  await eddy.close()
})

test('consumer batches - records reported failed again spend retry attempts, then go to the destination', async () => {
  using dir = tempDir()
  const calls: string[] = []
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'c',
        stream: 'users',
        maxRetryAttempts: 2,
        onFailure: { deadLetter: 'dlq' },
        retryBackoff: quickBackoff,
        handleBatch: (records, context) => {
          calls.push(`${context.attempt}:${ids(records)}`)
          const failed = records.filter((record) => ['u2', 'u4'].includes(idOf(record)))
          return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.sequenceNumber })) }
        },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, 5)
  await eddy.start()
  await eddy.waitUntilCaughtUp()

  // Three calls start at u2 (first try and two retries); then u2 and u4 are dead-lettered and
  // u3, u5 count as done.
  assert.deepEqual(calls, ['1:u1,u2,u3,u4,u5', '2:u2,u3,u4,u5', '3:u2,u3,u4,u5'])
  const letters = await eddy.queue('dlq').receive({ maxMessages: 10 })
  assert.deepEqual(letters.map((m) => JSON.parse(m.body).record.keys.id).sort(), ['u2', 'u4'])
  await eddy.close()
})

test('consumer batches - bisect isolates the failing record without spending attempts', async () => {
  using dir = tempDir()
  const calls: string[] = []
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'c',
        stream: 'users',
        bisectBatchOnError: true,
        maxRetryAttempts: 0,
        onFailure: { deadLetter: 'dlq' },
        handleBatch: (records, context) => {
          calls.push(`${context.attempt}:${ids(records)}`)
          if (records.some((record) => idOf(record) === 'u3')) throw new Error('poison u3')
        },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, 4)
  await eddy.start()
  await eddy.waitUntilCaughtUp()

  assert.deepEqual(calls, ['1:u1,u2,u3,u4', '1:u1,u2', '1:u3,u4', '1:u3', '1:u4'])
  const letters = await eddy.queue('dlq').receive({ maxMessages: 10 })
  assert.deepEqual(
    letters.map((m) => JSON.parse(m.body).record.keys.id),
    ['u3'],
  )
  await eddy.close()
})

test('consumer batches - bisect with partial failure uses the reported records', async () => {
  using dir = tempDir()
  const calls: string[] = []
  let failures = 0
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      bisectBatchOnError: true,
      retryBackoff: quickBackoff,
      handleBatch: (records) => {
        calls.push(ids(records))
        const u2 = records.find((record) => idOf(record) === 'u2')
        if (u2 && failures++ < 1)
          return { batchItemFailures: [{ itemIdentifier: u2.sequenceNumber }] }
      },
    },
  ])
  await putUsers(eddy, 4)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(calls, ['u1,u2,u3,u4', 'u2,u3,u4'])
  await eddy.close()
})

test('consumer batches - a thrown error without bisect retries the whole batch', async () => {
  using dir = tempDir()
  const calls: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      retryBackoff: quickBackoff,
      handleBatch: (records, context) => {
        calls.push(`${context.attempt}:${ids(records)}`)
        if (context.attempt < 3) throw new Error('flaky')
      },
    },
  ])
  await putUsers(eddy, 3)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(calls, ['1:u1,u2,u3', '2:u1,u2,u3', '3:u1,u2,u3'])
  await eddy.close()
})

test('consumer batches - an itemIdentifier outside the batch fails the whole batch', async () => {
  using dir = tempDir()
  const calls: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      retryBackoff: quickBackoff,
      handleBatch: (records, context) => {
        calls.push(`${context.attempt}:${ids(records)}`)
        if (context.attempt === 1) return { batchItemFailures: [{ itemIdentifier: 'nonsense' }] }
      },
    },
  ])
  await putUsers(eddy, 2)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(calls, ['1:u1,u2', '2:u1,u2'])
  await eddy.close()
})

test('consumer batches - batchSize and maxBatchBytes cut batches', async () => {
  using dir = tempDir()
  const sizes: number[] = []
  const eddy = await openFixture(dir.path, [
    { name: 'small', stream: 'users', batchSize: 2, handleBatch: (r) => void sizes.push(r.length) },
  ])
  await putUsers(eddy, 5)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(sizes, [2, 2, 1])
  await eddy.close()

  using dir2 = tempDir()
  const bytes: number[] = []
  const eddy2 = await openFixture(dir2.path, [
    {
      name: 'bytes',
      stream: 'users',
      maxBatchBytes: 1024,
      handleBatch: (r) => void bytes.push(r.length),
    },
  ])
  for (let i = 0; i < 4; i++)
    await eddy2.table('users').put({ id: `big${i}`, blob: 'x'.repeat(400) })
  await eddy2.start()
  await eddy2.waitUntilCaughtUp()
  assert.deepEqual(bytes, [2, 2])
  await eddy2.close()
})

test('consumer batches - the batching window gathers records written apart', async () => {
  using dir = tempDir()
  const sizes: number[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      batchingWindowSeconds: 0.3,
      handleBatch: (r) => void sizes.push(r.length),
    },
  ])
  await eddy.start()
  await putUsers(eddy, ['a'])
  await new Promise((resolve) => setTimeout(resolve, 50))
  await putUsers(eddy, ['b', 'c'])
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(sizes, [3])
  await eddy.close()
})
