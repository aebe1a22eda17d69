import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ChangeRecord, ConsumerDefinition, EddyConfig, FailureMode } from '../../src/index.ts'
import { parseDeadLetter } from '../../src/index.ts'
import { shardForPartitionKey } from '../../src/streams/shards.ts'
import { openTemp, waitFor } from '../helpers.ts'

type Handler = ConsumerDefinition['handleRecord']

function config(onFailure: FailureMode, handleRecord: Handler, shards = 1): EddyConfig {
  return {
    tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards } }],
    consumers: [
      {
        name: 'indexer',
        stream: 'users',
        onFailure,
        handleRecord,
        retryBackoff: { initialMs: 5, maxMs: 20 },
      },
    ],
  }
}

const ids = ['u1', 'u2', 'poison', 'u4', 'u5']

/** A handler that records what it handled and fails on `poison` while `broken` is set. */
function poisonedHandler() {
  const state = { broken: true, handled: [] as string[], attempts: 0 }
  const handleRecord: Handler = (record: ChangeRecord) => {
    const id = String(record.keys.id)
    if (id === 'poison' && state.broken) {
      state.attempts++
      throw new TypeError(`cannot read fullname of ${id}`)
    }
    state.handled.push(id)
  }
  return { state, handleRecord }
}

async function writeBatch(eddy: Awaited<ReturnType<typeof openTemp>>) {
  await eddy.table('users').batchWrite(ids.map((id) => ({ put: { id, fullname: 'A B' } })))
}

test('failure modes - log and continue skips the poisoned record and moves the checkpoint on', async () => {
  const { state, handleRecord } = poisonedHandler()
  const eddy = await openTemp(config('log', handleRecord))
  await eddy.start()
  await writeBatch(eddy)
  await eddy.waitUntilCaughtUp()

  assert.deepEqual(state.handled, ['u1', 'u2', 'u4', 'u5'])
  const [shard] = (await eddy.status()).consumers
  assert.equal(shard?.errors, 1)
  assert.equal(shard?.delivered, 5)
  assert.match(shard?.lastError ?? '', /TypeError: cannot read fullname of poison/)
  await eddy.close()
})

test('failure modes - dead-letter sends the record with its error and origin, and goes on', async () => {
  const { state, handleRecord } = poisonedHandler()
  const eddy = await openTemp(config({ deadLetter: 'users-dlq' }, handleRecord))
  await eddy.start()
  await writeBatch(eddy)
  await eddy.waitUntilCaughtUp()

  assert.deepEqual(state.handled, ['u1', 'u2', 'u4', 'u5'])
  const [message] = await eddy.queue('users-dlq').receive({ maxMessages: 10 })
  const parsed = parseDeadLetter(message?.body ?? '')
  assert.ok('deadLetter' in parsed, 'the message is a valid dead letter')
  const { record, error, origin, attempts } = parsed.deadLetter
  assert.deepEqual(record.keys, { id: 'poison' })
  assert.deepEqual(record.newImage, { id: 'poison', fullname: 'A B' })
  assert.equal(error.name, 'TypeError')
  assert.equal(error.message, 'cannot read fullname of poison')
  assert.match(error.stack ?? '', /TypeError/)
  assert.deepEqual(origin, {
    stream: 'users',
    shard: 'shard-0000',
    sequenceNumber: record.sequenceNumber,
    consumer: 'indexer',
  })
  assert.equal(attempts, 1)
  assert.equal((await eddy.status()).consumers[0]?.deadLettered, 1)
  await eddy.close()
})

test('failure modes - stop and retry blocks the shard at the poisoned record until it succeeds', async () => {
  const { state, handleRecord } = poisonedHandler()
  const eddy = await openTemp(config('retry', handleRecord))
  await eddy.start()
  await writeBatch(eddy)
  await waitFor(async () => ((await eddy.status()).consumers[0]?.errors ?? 0) >= 3)

  assert.deepEqual(state.handled, ['u1', 'u2'], 'records after the poisoned one wait')
  const [blocked] = (await eddy.status()).consumers
  assert.equal(blocked?.behind, 3)
  assert.ok(state.attempts >= 3)

  state.broken = false
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(
    state.handled,
    ['u1', 'u2', 'poison', 'u4', 'u5'],
    'finished records do not run again',
  )
  await eddy.close()
})

test('failure modes - a shard stuck in retry does not hold back the other shards', async () => {
  const { state, handleRecord } = poisonedHandler()
  const eddy = await openTemp(config('retry', handleRecord, 8))
  const poisonShard = shardForPartitionKey(JSON.stringify('poison'), 8)
  const others = Array.from({ length: 40 }, (_, i) => `k${i}`).filter(
    (id) => shardForPartitionKey(JSON.stringify(id), 8) !== poisonShard,
  )
  await eddy.start()
  await eddy.table('users').put({ id: 'poison' })
  await waitFor(() => state.attempts >= 1)

  for (const id of others) await eddy.table('users').put({ id })
  await waitFor(() => state.handled.length === others.length)
  assert.ok(state.attempts >= 1 && !state.handled.includes('poison'))
  await eddy.close()
})

test('consumers - several consumers on one stream keep their own checkpoints', async () => {
  const fast: string[] = []
  const slow: string[] = []
  const eddy = await openTemp({
    tables: [
      { name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 1 } },
    ],
    consumers: [
      { name: 'fast', stream: 'users', handleRecord: (r) => void fast.push(String(r.keys.id)) },
      {
        name: 'slow',
        stream: 'users',
        batchSize: 1,
        handleRecord: (r) => void slow.push(String(r.keys.id)),
      },
    ],
  })
  await eddy.start()
  await writeBatch(eddy)
  await eddy.waitUntilCaughtUp()

  assert.deepEqual(fast, ids)
  assert.deepEqual(slow, ids)
  const checkpoints = (await eddy.status()).consumers.map((c) => c.checkpoint)
  assert.equal(checkpoints[0], checkpoints[1])
  await eddy.close()
})

test('consumers - a new consumer at latest skips records written before it started', async () => {
  const seen: string[] = []
  const base: EddyConfig = {
    tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' } }],
  }
  const dir = (await import('../helpers.ts')).tempDir()
  const before = await openTemp(base, dir)
  await before.table('users').put({ id: 'old' })
  await before.close()

  const eddy = await openTemp(
    {
      ...base,
      consumers: [
        {
          name: 'late',
          stream: 'users',
          startingPosition: 'latest',
          handleRecord: (r) => void seen.push(String(r.keys.id)),
        },
      ],
    },
    dir,
  )
  await eddy.start()
  await eddy.table('users').put({ id: 'new' })
  await eddy.waitUntilCaughtUp()
  assert.deepEqual(seen, ['new'])
  await eddy.close()
})

test('reprocess - a fixed handler empties the dead-letter queue; a still-broken one leaves messages', async () => {
  const { state, handleRecord } = poisonedHandler()
  const eddy = await openTemp(config({ deadLetter: 'users-dlq' }, handleRecord))
  await eddy.start()
  await writeBatch(eddy)
  await eddy.table('users').put({ id: 'poison', fullname: 'C D' })
  await eddy.waitUntilCaughtUp()
  await eddy.stop()
  assert.equal((await eddy.queue('users-dlq').depth()).visible, 2)

  const again = await eddy.reprocess('users-dlq', { visibilityTimeoutSeconds: 1 })
  assert.equal(again.failed, 2)
  assert.equal(again.left, 2)

  state.broken = false
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const fixed = await eddy.reprocess('users-dlq')
  assert.deepEqual([fixed.reprocessed, fixed.failed, fixed.left], [2, 0, 0])
  assert.deepEqual(state.handled.filter((id) => id === 'poison').length, 2)
  await eddy.close()
})

test('reprocess - a message that is not a dead letter is reported and left in the queue', async () => {
  const { handleRecord } = poisonedHandler()
  const eddy = await openTemp(config({ deadLetter: 'users-dlq' }, handleRecord))
  await eddy.queue('users-dlq').send('{"hello":"world"}')
  await eddy.queue('users-dlq').send('not json')

  const summary = await eddy.reprocess('users-dlq', { visibilityTimeoutSeconds: 1 })
  assert.equal(summary.malformed, 2)
  assert.equal(summary.left, 2)
  assert.match(summary.messages[1]?.error ?? '', /not JSON/)
  await eddy.close()
})
