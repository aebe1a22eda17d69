import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDeadLetter } from '../../src/queues/dead-letter.ts'
import { idOf, openFixture, putUsers, quickBackoff, tempDir, until } from './consumer-helpers.ts'

test('consumer failures - log mode skips the failing record and moves on', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      onFailure: 'log',
      handleRecord: (record) => {
        if (idOf(record) === 'u2') throw new Error('boom')
        seen.push(idOf(record))
      },
    },
  ])
  await putUsers(eddy, 3)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u1', 'u3'])
  const [shard] = (await eddy.status()).consumers
  assert.equal(shard?.errors, 1)
  await eddy.close()
})

test('consumer failures - retry mode blocks the shard, says so, and never skips the record', async () => {
  using dir = tempDir()
  let failuresLeft = 4
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      retryBackoff: { initialMs: 40, maxMs: 40 },
      handleRecord: (record, context) => {
        if (idOf(record) === 'u2' && failuresLeft-- > 0)
          throw new Error(`attempt ${context.attempt} fails`)
        seen.push(idOf(record))
      },
    },
  ])
  await putUsers(eddy, 3)
  await eddy.start()
  await until(async () => (await eddy.status()).consumers[0]?.state === 'retrying')
  const blocked = (await eddy.status()).consumers[0]
  assert.equal(blocked?.blockingSequenceNumber !== null, true)
  assert.ok(blocked?.blockedSince)
  assert.ok((blocked?.expiresInMs ?? 0) > 23 * 3_600_000)
  assert.match(blocked?.lastError ?? '', /fails/)

  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u1', 'u2', 'u3'])
  assert.equal((await eddy.status()).consumers[0]?.state, 'idle')
  await eddy.close()
})

test('consumer failures - maxRetryAttempts ends the retries and dead-letters the full record', async () => {
  using dir = tempDir()
  const attempts: number[] = []
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'c',
        stream: 'users',
        onFailure: { deadLetter: 'dlq' },
        maxRetryAttempts: 2,
        retryBackoff: quickBackoff,
        handleRecord: (record, context) => {
          if (idOf(record) === 'u2') {
            attempts.push(context.attempt)
            throw new Error('poison')
          }
        },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, 3)
  await eddy.start()
  await eddy.waitUntilCaughtUp()

  assert.deepEqual(attempts, [1, 2, 3])
  const [message] = await eddy.queue('dlq').receive({ maxMessages: 10 })
  const parsed = parseDeadLetter(message?.body ?? '')
  assert.ok('deadLetter' in parsed)
  assert.equal(parsed.deadLetter.record.keys.id, 'u2')
  assert.equal(parsed.deadLetter.record.newImage?.name, 'name of u2')
  assert.equal(parsed.deadLetter.attempts, 3)
  assert.equal(parsed.deadLetter.error.message, 'poison')
  await eddy.close()
})

test('consumer failures - retry mode with maxRetryAttempts discards the record after the limit', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      maxRetryAttempts: 1,
      retryBackoff: quickBackoff,
      handleRecord: (record) => {
        if (idOf(record) === 'u1') throw new Error('poison')
        seen.push(idOf(record))
      },
    },
  ])
  await putUsers(eddy, 2)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u2'])
  const [shard] = (await eddy.status()).consumers
  assert.equal(shard?.errors, 2)
  assert.equal(shard?.discarded, 1, 'the dropped record is counted')
  await eddy.close()
})

test('consumer failures - a blocked shard expires by maxRecordAgeSeconds when that comes first', async () => {
  using dir = tempDir()
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      maxRecordAgeSeconds: 60,
      retryBackoff: quickBackoff,
      handleRecord: () => {
        throw new Error('poison')
      },
    },
  ])
  await putUsers(eddy, 1)
  await eddy.start()
  await until(async () => (await eddy.status()).consumers.some((c) => c.state === 'retrying'))

  const blocked = (await eddy.status()).consumers.find((c) => c.state === 'retrying')
  // Retention is 24 hours: an expiry within a minute can only come from the age limit.
  assert.ok(blocked?.expiresInMs !== null && (blocked?.expiresInMs ?? Infinity) <= 60_000)
  await eddy.close()
})
