import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, ValidationError } from '../../src/errors.ts'
import { open } from '../../src/open.ts'
import { createLogger } from '../../src/observe/logger.ts'
import { openTemp, tempDir, usersConfig } from './helpers.ts'

const hourMs = 3_600_000

async function oneShard(t: Parameters<typeof openTemp>[0], count: number) {
  const eddy = await openTemp(t, usersConfig({ shards: 1 }))
  const users = eddy.table('users')
  const sequences: string[] = []
  for (let n = 0; n < count; n++)
    sequences.push((await users.put({ id: `u${n}`, n })).sequenceNumber as string)
  return { eddy, users, stream: eddy.stream('users'), sequences }
}

test('stream readers - iterator types start where they say', async (t) => {
  const { stream, sequences, users } = await oneShard(t, 5)
  const first = async (position: Parameters<typeof stream.getShardIterator>[1]) =>
    (await stream.read(await stream.getShardIterator('shard-0000', position))).records.map(
      (r) => r.sequenceNumber,
    )

  assert.deepEqual(await first({ type: 'TRIM_HORIZON' }), sequences)
  assert.deepEqual(
    await first({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: sequences[2] as string }),
    sequences.slice(2),
  )
  assert.deepEqual(
    await first({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: sequences[2] as string }),
    sequences.slice(3),
  )
  assert.deepEqual(await first({ type: 'AT_TIMESTAMP', timestampMs: 0 }), sequences)
  assert.deepEqual(await first({ type: 'AT_TIMESTAMP', timestampMs: Date.now() + hourMs }), [])

  const latest = await stream.getShardIterator('shard-0000', { type: 'LATEST' })
  assert.deepEqual((await stream.read(latest)).records, [])
  const next = await users.put({ id: 'later' })
  assert.deepEqual(
    (await stream.read(latest)).records.map((r) => r.sequenceNumber),
    [next.sequenceNumber],
  )
})

test('stream readers - a read returns at most the count and about the byte limit, and the next position', async (t) => {
  const { stream, sequences } = await oneShard(t, 10)
  let iterator = await stream.getShardIterator('shard-0000', { type: 'TRIM_HORIZON' })

  const byCount = await stream.read(iterator, { limit: 3 })
  assert.deepEqual(
    byCount.records.map((r) => r.sequenceNumber),
    sequences.slice(0, 3),
  )
  iterator = byCount.nextIterator

  const size = byCount.records[0]?.sizeBytes as number
  const byBytes = await stream.read(iterator, { maxBytes: size * 2 + 1 })
  assert.deepEqual(
    byBytes.records.map((r) => r.sequenceNumber),
    sequences.slice(3, 5),
  )
  const atLeastOne = await stream.read(byBytes.nextIterator, { maxBytes: 1 })
  assert.equal(atLeastOne.records.length, 1)
})

test('stream readers - a read from a trimmed position reports how many records expired', async (t) => {
  const { eddy, users, stream } = await oneShard(t, 5)
  const iterator = await stream.getShardIterator('shard-0000', { type: 'TRIM_HORIZON' })

  const summary = await eddy.maintain(Date.now() + 25 * hourMs)
  assert.equal(summary.trimmedRecords, 5)
  const after = await users.put({ id: 'fresh' })

  const read = await stream.read(iterator)
  assert.equal(read.expiredRecords, 5)
  assert.deepEqual(
    read.records.map((r) => r.sequenceNumber),
    [after.sequenceNumber],
  )
  assert.equal((await stream.read(read.nextIterator)).expiredRecords, 0)
})

test('stream readers - the expired count is exact from a consumer checkpoint inside a trim step', async (t) => {
  const storePath = join(tempDir(t), 'eddy.db')
  const options = { storePath, logger: createLogger({ level: 'silent' }) }
  const before = await open(usersConfig({ shards: 1 }), options)
  const sequences: string[] = []
  for (const id of ['a', 'b', 'c'])
    sequences.push((await before.table('users').put({ id })).sequenceNumber as string)
  await before.close()

  const consumer = {
    name: 'late',
    stream: 'users',
    startingPosition: 'latest' as const,
    handleRecord: async () => {},
  }
  const eddy = await open({ ...usersConfig({ shards: 1 }), consumers: [consumer] }, options)
  t.after(() => eddy.close())
  for (const id of ['d', 'e']) await eddy.table('users').put({ id })
  assert.equal((await eddy.maintain(Date.now() + 25 * hourMs)).trimmedRecords, 5)

  const stream = eddy.stream('users')
  const position = {
    type: 'AFTER_SEQUENCE_NUMBER' as const,
    sequenceNumber: sequences[2] as string,
  }
  const read = await stream.read(await stream.getShardIterator('shard-0000', position))
  assert.equal(read.expiredRecords, 2)
  assert.equal(await eddy.store.trimmedAfter('users', 0, 0).then((r) => r.records), 5)
})

test('stream readers - retention keeps records younger than the stream retention', async (t) => {
  const eddy = await openTemp(t, usersConfig({ shards: 1, retentionHours: 48 }))
  await eddy.table('users').put({ id: 'u1' })

  assert.equal((await eddy.maintain(Date.now() + 25 * hourMs)).trimmedRecords, 0)
  assert.equal((await eddy.maintain(Date.now() + 49 * hourMs)).trimmedRecords, 1)
  assert.equal((await eddy.stream('users').describe()).retentionMs, 48 * hourMs)
})

test('stream readers - retention trims in steps and logs each', async (t) => {
  const { eddy, stream } = await oneShard(t, 0)
  const users = eddy.table('users')
  await users.batchWrite(Array.from({ length: 2_500 }, (_, n) => ({ put: { id: `u${n}` } })))

  assert.equal((await eddy.maintain(Date.now() + 25 * hourMs)).trimmedRecords, 2_500)
  const read = await stream.read(
    await stream.getShardIterator('shard-0000', { type: 'TRIM_HORIZON' }),
  )
  assert.equal(read.expiredRecords, 2_500)
})

test('stream readers - a key always maps to the same shard and sequence numbers survive a restart', async (t) => {
  const path = join(tempDir(t), 'eddy.db')
  const options = { storePath: path, logger: createLogger({ level: 'silent' }) }
  const config = usersConfig({ shards: 8 })

  const first = await open(config, options)
  const a = await first.table('users').put({ id: 'same' })
  await first.close()
  const second = await open(config, options)
  t.after(() => second.close())
  const b = await second.table('users').put({ id: 'same', again: true })

  const shards = (await second.stream('users').describe()).shards
  assert.equal(shards.filter((s) => s.lastSequenceNumber !== null).length, 1)
  assert.ok((b.sequenceNumber as string) > (a.sequenceNumber as string))
})

test('stream readers - enable, disable and view type changes give new labels', async (t) => {
  const eddy = await openTemp(t, usersConfig({ viewType: 'KEYS_ONLY' }))
  const users = eddy.table('users')
  const first = (await eddy.stream('users').describe()).label

  const disabled = await eddy.updateTableStream('users', { enabled: false })
  assert.equal(disabled.enabled, false)
  assert.equal(disabled.label, first)
  assert.equal((await users.put({ id: 'quiet' })).sequenceNumber, null)

  const enabled = await eddy.updateTableStream('users', { enabled: true, viewType: 'NEW_IMAGE' })
  assert.ok(enabled.label > first)
  const changed = await eddy.updateTableStream('users', { enabled: true, viewType: 'OLD_IMAGE' })
  assert.ok(changed.label > enabled.label)
  const write = await users.put({ id: 'loud' })
  assert.notEqual(write.sequenceNumber, null)
})

test('stream readers - a table declared without a stream can have one enabled', async (t) => {
  const eddy = await openTemp(t, usersConfig(false))
  await eddy.updateTableStream('users', { enabled: true, viewType: 'NEW_IMAGE' })
  assert.notEqual((await eddy.table('users').put({ id: 'u1' })).sequenceNumber, null)
})

test('standalone streams - publish records with a partition key, in order per key', async (t) => {
  const eddy = await openTemp(t, { streams: [{ name: 'clicks', shards: 3 }] })
  const clicks = eddy.stream('clicks')

  const placed = await clicks.publish([
    { partitionKey: 'page-1', data: { n: 1 } },
    { partitionKey: 'page-1', data: { n: 2 } },
    { partitionKey: 'page-2', data: 'text' },
  ])

  assert.equal(placed[0]?.shardId, placed[1]?.shardId)
  const iterator = await clicks.getShardIterator(placed[0]?.shardId as string, {
    type: 'TRIM_HORIZON',
  })
  const records = (await clicks.read(iterator)).records.filter((r) => r.partitionKey === 'page-1')
  assert.deepEqual(
    records.map((r) => r.data),
    [{ n: 1 }, { n: 2 }],
  )
  assert.equal(records[0]?.eventName, 'PUBLISH')
})

test('standalone streams - bad publishes and table streams are refused', async (t) => {
  const eddy = await openTemp(t, { ...usersConfig(), streams: [{ name: 'clicks' }] })

  await assert.rejects(
    eddy.stream('clicks').publish([{ partitionKey: '', data: 1 }]),
    /record 0: partitionKey is ""/,
  )
  await assert.rejects(
    eddy.stream('clicks').publish([{ partitionKey: 'k', data: () => 1 }]),
    /data is a function/,
  )
  await assert.rejects(
    eddy.stream('users').publish([{ partitionKey: 'k', data: 1 }]),
    /is a table's stream/,
  )
  await assert.rejects(
    eddy.stream('clicks').read('garbage'),
    (e: unknown) =>
      e instanceof ValidationError && /Shard iterator "garbage" is not valid/.test(e.message),
  )
  await assert.rejects(
    eddy.stream('clicks').getShardIterator('shard-0009', { type: 'LATEST' }),
    /has no shard shard-0009/,
  )
})

test('standalone streams - names share the namespace with tables and consumers may read them', async (t) => {
  const dir = tempDir(t)
  const storePath = join(dir, 'eddy.db')
  await assert.rejects(
    open({ ...usersConfig(), streams: [{ name: 'users' }] }, { storePath }),
    (e: unknown) => e instanceof ConfigError && /"users" is declared twice/.test(e.message),
  )
  const eddy = await open(
    {
      streams: [{ name: 'clicks', shards: 2 }],
      consumers: [{ name: 'c', stream: 'clicks', handleRecord: async () => {} }],
    },
    { storePath, logger: createLogger({ level: 'silent' }) },
  )
  await eddy.close()
})
