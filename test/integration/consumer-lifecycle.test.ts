import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { idempotent, type ConsumerDefinition } from '../../src/consumers/index.ts'
import { createLogger } from '../../src/observe/logger.ts'
import type { Eddy } from '../../src/open.ts'
import { parseDeadLetter } from '../../src/queues/dead-letter.ts'
import { trimExpiredRecords } from '../../src/streams/retention.ts'
import { idOf, openFixture, putUsers, quickBackoff, tempDir, until } from './consumer-helpers.ts'

/** Appends a record created `ageMs` ago, as if it had waited in the stream that long. */
async function appendAged(eddy: Eddy, id: string, ageMs: number): Promise<void> {
  await eddy.store.write((tx) =>
    tx.appendRecord({
      eventId: randomUUID(),
      eventName: 'INSERT',
      stream: 'users',
      shard: 0,
      createdAtMs: Date.now() - ageMs,
      keys: { id },
      newImage: { id },
      streamViewType: 'NEW_AND_OLD_IMAGES',
    }),
  )
}

test('consumer lifecycle - disable keeps the checkpoint and enable resumes it, even at latest', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const consumers: ConsumerDefinition[] = [
    {
      name: 'c',
      stream: 'users',
      startingPosition: 'latest',
      handleRecord: (record) => void seen.push(idOf(record)),
    },
  ]
  const setup = await openFixture(dir.path, [])
  await putUsers(setup, ['before'])
  await setup.close()

  const eddy = await openFixture(dir.path, consumers)
  await eddy.start()
  await putUsers(eddy, ['u1'])
  await eddy.waitUntilCaughtUp()
  await eddy.setEnabled('c', false)
  await putUsers(eddy, ['u2', 'u3'])
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(seen, ['u1'])
  assert.equal((await eddy.status()).consumers[0]?.state, 'disabled')

  await eddy.setEnabled('c', true)
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u1', 'u2', 'u3'])
  await eddy.close()

  const again = await openFixture(dir.path, consumers)
  await putUsers(again, ['u4'])
  await again.start()
  await again.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u1', 'u2', 'u3', 'u4'])
  await again.close()
})

test('consumer lifecycle - enabled false in the config runs nothing and keeps the checkpoint', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    { name: 'c', stream: 'users', enabled: false, handleRecord: (r) => void seen.push(idOf(r)) },
  ])
  await putUsers(eddy, 2)
  await eddy.start()
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(seen, [])
  assert.equal((await eddy.status()).consumers[0]?.behind, 2)
  await eddy.close()
})

test('consumer lifecycle - a timestamp starting position starts at the first record since then', async () => {
  using dir = tempDir()
  const setup = await openFixture(dir.path, [])
  await putUsers(setup, ['old1', 'old2'])
  await new Promise((resolve) => setTimeout(resolve, 5))
  const since = Date.now()
  await new Promise((resolve) => setTimeout(resolve, 5))
  await putUsers(setup, ['new1'])
  await setup.close()

  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      startingPosition: { atTimestampMs: since },
      handleRecord: (r) => void seen.push(idOf(r)),
    },
  ])
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['new1'])
  await eddy.close()
})

test('consumer lifecycle - maxRecordAgeSeconds ends retries before maxRetryAttempts does', async () => {
  using dir = tempDir()
  const attempts: number[] = []
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'c',
        stream: 'users',
        onFailure: { deadLetter: 'dlq' },
        maxRetryAttempts: 10_000,
        maxRecordAgeSeconds: 60,
        retryBackoff: { initialMs: 20, maxMs: 20 },
        handleRecord: (_, context) => {
          attempts.push(context.attempt)
          throw new Error('always')
        },
      },
    ],
    { queues: ['dlq'] },
  )
  await appendAged(eddy, 'aging', 59_900)
  await appendAged(eddy, 'too-old', 61_000)
  await eddy.start()
  await eddy.waitUntilCaughtUp()

  assert.ok(attempts.length >= 2 && attempts.length < 100, `attempts: ${attempts.length}`)
  const letters = (await eddy.queue('dlq').receive({ maxMessages: 10 })).map((m) =>
    parseDeadLetter(m.body),
  )
  const [aging, tooOld] = letters.map((l) => ('deadLetter' in l ? l.deadLetter : null))
  assert.equal(aging?.record.keys.id, 'aging')
  assert.equal(aging?.attempts, attempts.length)
  assert.equal(tooOld?.record.keys.id, 'too-old')
  assert.equal(tooOld?.error.name, 'RecordTooOldError')
  await eddy.close()
})

test('consumer lifecycle - maxRetryAttempts ends retries before maxRecordAgeSeconds does', async () => {
  using dir = tempDir()
  let calls = 0
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'c',
        stream: 'users',
        onFailure: { deadLetter: 'dlq' },
        maxRetryAttempts: 1,
        maxRecordAgeSeconds: 3_600,
        retryBackoff: quickBackoff,
        handleRecord: () => {
          calls++
          throw new Error('always')
        },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, 1)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.equal(calls, 2)
  assert.equal((await eddy.queue('dlq').depth()).visible, 1)
  await eddy.close()
})

test('consumer lifecycle - records that expire while the shard is blocked are counted as lost', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    {
      name: 'c',
      stream: 'users',
      retryBackoff: { initialMs: 30, maxMs: 30 },
      handleRecord: (record) => {
        if (idOf(record) === 'doomed') throw new Error('never works')
        seen.push(idOf(record))
      },
    },
  ])
  await appendAged(eddy, 'doomed', 24 * 3_600_000 - 150)
  await putUsers(eddy, ['fresh'])
  await eddy.start()
  await until(async () => (await eddy.status()).consumers[0]?.state === 'retrying')
  const blocked = (await eddy.status()).consumers[0]
  assert.ok((blocked?.expiresInMs ?? Infinity) < 200)

  await new Promise((resolve) => setTimeout(resolve, 200))
  await trimExpiredRecords(eddy.store, createLogger({ level: 'silent' }))
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['fresh'])
  assert.equal((await eddy.status()).consumers[0]?.expired, 1)
  await eddy.close()
})

test('consumer lifecycle - replay moves the checkpoint back to a sequence number or a time', async () => {
  using dir = tempDir()
  const seen: string[] = []
  const eddy = await openFixture(dir.path, [
    { name: 'c', stream: 'users', handleRecord: (r) => void seen.push(idOf(r)) },
  ])
  await putUsers(eddy, ['u1'])
  await new Promise((resolve) => setTimeout(resolve, 5))
  const since = Date.now()
  await new Promise((resolve) => setTimeout(resolve, 5))
  await putUsers(eddy, ['u2', 'u3'])
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  const [second] = await eddy.store.readRecords('users', 0, 0, 2).then((r) => r.slice(1))

  await eddy.replay('c', { fromSequenceNumber: second?.sequenceNumber ?? '' })
  await until(() => seen.length === 5)
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['u1', 'u2', 'u3', 'u2', 'u3'])

  await eddy.replay('c', { fromTimeMs: since })
  await until(() => seen.length >= 7)
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen.slice(5), ['u2', 'u3'])
  await eddy.close()
})

test('consumer lifecycle - the idempotency helper sends no second welcome email on a retry', async () => {
  using dir = tempDir()
  const emails: string[] = []
  let failOnce = true
  const sendWelcome = idempotent(async (record) => {
    if (idOf(record) === 'u2' && failOnce) {
      failOnce = false
      throw new Error('mail server hiccup')
    }
    emails.push(idOf(record))
  })
  const eddy = await openFixture(dir.path, [
    {
      name: 'welcome',
      stream: 'users',
      retryBackoff: quickBackoff,
      handleBatch: async (records, context) => {
        for (const record of records) await sendWelcome(record, context)
      },
    },
  ])
  await putUsers(eddy, 3)
  await eddy.start()
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(emails, ['u1', 'u2', 'u3'])
  await eddy.close()
})

test('consumer lifecycle - metrics count per shard and render as Prometheus text', async () => {
  using dir = tempDir()
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'm',
        stream: 'users',
        onFailure: { deadLetter: 'dlq' },
        filters: [{ keys: { id: { anythingBut: ['skip'] } } }],
        handleRecord: (record) => {
          if (idOf(record) === 'bad') throw new Error('bad')
        },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, ['u1', 'skip', 'bad', 'u2'])
  await eddy.start()
  await eddy.waitUntilCaughtUp()

  const [shard] = eddy.metrics()
  assert.equal(shard?.invocations, 3)
  assert.equal(shard?.records, 3)
  assert.equal(shard?.errors, 1)
  assert.equal(shard?.deadLettered, 1)
  assert.equal(shard?.filteredOut, 1)
  assert.ok((shard?.iteratorAgeMs ?? -1) >= 0)
  const text = eddy.prometheusMetrics()
  assert.match(text, /eddy_consumer_invocations_total\{consumer="m",shard="0"\} 3/)
  assert.match(text, /# TYPE eddy_consumer_iterator_age_milliseconds gauge/)
  await eddy.close()
})
