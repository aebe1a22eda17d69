import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ChangeRecord, EddyConfig, StreamViewType } from '../../src/index.ts'
import { ConflictError, NotFoundError, StoppedError, ValidationError } from '../../src/index.ts'
import { openTemp, tempDir } from '../helpers.ts'

function moviesConfig(viewType: StreamViewType = 'NEW_AND_OLD_IMAGES'): EddyConfig {
  return {
    queues: [{ name: 'movies-dlq' }],
    tables: [
      {
        name: 'movies',
        partitionKey: { name: 'year', type: 'number' },
        sortKey: { name: 'title', type: 'string' },
        stream: { viewType, shards: 2 },
      },
    ],
  }
}

async function allRecords(eddy: Awaited<ReturnType<typeof openTemp>>): Promise<ChangeRecord[]> {
  const records: ChangeRecord[] = []
  for (const shard of [0, 1])
    records.push(...(await eddy.store.readRecords('movies', shard, 0, 1000)))
  return records.sort((a, b) => a.sequenceNumber.localeCompare(b.sequenceNumber))
}

test('tables - put, get, update and delete append INSERT, MODIFY and REMOVE with both images', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')
  const key = { year: 2013, title: 'Rush' }

  await movies.put({ ...key, info: { rating: 8.3 } })
  await movies.update(key, { set: { seen: true }, remove: ['info'] })
  assert.deepEqual(await movies.get(key), { ...key, seen: true })
  await movies.delete(key)
  assert.equal(await movies.get(key), undefined)

  const records = await allRecords(eddy)
  assert.deepEqual(
    records.map((r) => r.eventName),
    ['INSERT', 'MODIFY', 'REMOVE'],
  )
  const [insert, modify, remove] = records as [ChangeRecord, ChangeRecord, ChangeRecord]
  assert.deepEqual(insert.keys, key)
  assert.equal(insert.oldImage, undefined)
  assert.deepEqual(insert.newImage, { ...key, info: { rating: 8.3 } })
  assert.deepEqual(modify.oldImage, { ...key, info: { rating: 8.3 } })
  assert.deepEqual(modify.newImage, { ...key, seen: true })
  assert.equal(remove.newImage, undefined)
  assert.deepEqual(remove.oldImage, { ...key, seen: true })
  assert.ok(new Set(records.map((r) => r.shard)).size === 1, 'one key stays in one shard')
  await eddy.close()
})

test('tables - a write that changes nothing appends no change record', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')

  await movies.put({ year: 1999, title: 'Matrix', info: { a: 1, b: 2 } })
  const again = await movies.put({ info: { b: 2, a: 1 }, title: 'Matrix', year: 1999 })
  const noop = await movies.update({ year: 1999, title: 'Matrix' }, { remove: ['missing'] })
  const gone = await movies.delete({ year: 1900, title: 'Nothing' })

  assert.deepEqual([again.eventName, noop.eventName, gone.eventName], [null, null, null])
  assert.equal((await allRecords(eddy)).length, 1)
  await eddy.close()
})

test('tables - an update of a missing item creates it with one INSERT', async () => {
  const eddy = await openTemp(moviesConfig())
  const result = await eddy
    .table('movies')
    .update({ year: 2001, title: 'Amelie' }, { set: { rating: 8 } })

  assert.equal(result.eventName, 'INSERT')
  const [record] = await allRecords(eddy)
  assert.deepEqual(record?.newImage, { year: 2001, title: 'Amelie', rating: 8 })
  await eddy.close()
})

for (const [viewType, hasNew, hasOld] of [
  ['KEYS_ONLY', false, false],
  ['NEW_IMAGE', true, false],
  ['OLD_IMAGE', false, true],
  ['NEW_AND_OLD_IMAGES', true, true],
] as const) {
  test(`tables - view type ${viewType} carries keys and only the images it asks for`, async () => {
    const eddy = await openTemp(moviesConfig(viewType))
    const movies = eddy.table('movies')
    await movies.put({ year: 1, title: 'a', v: 1 })
    await movies.put({ year: 1, title: 'a', v: 2 })

    const [, modify] = await allRecords(eddy)
    assert.deepEqual(modify?.keys, { year: 1, title: 'a' })
    assert.equal(modify?.streamViewType, viewType)
    assert.equal('newImage' in (modify ?? {}), hasNew)
    assert.equal('oldImage' in (modify ?? {}), hasOld)
    await eddy.close()
  })
}

test('tables - a batch write commits all its items, and a bad element writes nothing', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')

  await movies.batchWrite([{ put: { year: 1, title: 'a' } }, { put: { year: 2, title: 'b' } }])
  await assert.rejects(
    movies.batchWrite([{ put: { year: 3, title: 'c' } }, { put: { year: 'x', title: 'd' } }]),
    (error: unknown) =>
      error instanceof ValidationError &&
      /request 1/.test(error.message) &&
      /"year"/.test(error.message),
  )

  assert.equal(await movies.get({ year: 3, title: 'c' }), undefined)
  assert.equal((await allRecords(eddy)).length, 2)
  await eddy.close()
})

test('tables - bad input names the problem and writes nothing', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')
  const cases: [() => Promise<unknown>, RegExp][] = [
    [
      () => movies.put({ title: 'no year' }),
      /Key attribute "year" of table "movies" is missing: expected a finite number/,
    ],
    [
      () => movies.put({ year: '1999', title: 'x' }),
      /"year" of table "movies" is "1999": expected a finite number/,
    ],
    [
      () => movies.put({ year: 1999, title: '' }),
      /"title" of table "movies" is "": expected a non-empty string/,
    ],
    [
      () => movies.put([1, 2] as never),
      /Item for table "movies" must be a plain object, got \[1,2\]/,
    ],
    [() => movies.put('text' as never), /must be a plain object, got "text"/],
    [() => movies.put({ year: 1, title: 'f', fn: () => 1 }), /item\.fn is a function/],
    [() => movies.put({ year: 1, title: 'n', n: Number.NaN }), /item\.n is NaN/],
    [
      () => movies.update({ year: 1, title: 'k' }, { set: { year: 2 } }),
      /cannot change key attribute "year"/,
    ],
    [() => movies.get({ year: 1 }), /Key attribute "title" of table "movies" is missing/],
  ]

  for (const [call, message] of cases) {
    await assert.rejects(
      call(),
      (error: unknown) => error instanceof ValidationError && message.test(error.message),
    )
  }
  assert.throws(
    () => eddy.table('films'),
    (error: unknown) => error instanceof NotFoundError && /"films"/.test(String(error)),
  )
  assert.equal((await allRecords(eddy)).length, 0)
  await eddy.close()
})

test('tables - an item with a cycle is refused', async () => {
  const eddy = await openTemp(moviesConfig())
  const item: Record<string, unknown> = { year: 1, title: 'loop' }
  item.self = item

  await assert.rejects(eddy.table('movies').put(item), /item\.self refers back to itself/)
  await eddy.close()
})

test('tables - concurrent writes of one turn share a commit and keep every record', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')

  const writes = Array.from({ length: 200 }, (_, i) => movies.put({ year: i % 7, title: `t${i}` }))
  writes.push(movies.put({ year: 'bad' } as never))
  const results = await Promise.allSettled(writes)

  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 200)
  const records = await allRecords(eddy)
  assert.equal(records.length, 200)
  assert.equal(new Set(records.map((r) => r.sequenceNumber)).size, 200)
  await eddy.close()
})

test('tables - typos and ambiguous requests are refused instead of ignored', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')
  const key = { year: 2000, title: 'x' }
  const cases: [() => Promise<unknown>, RegExp][] = [
    [
      () => movies.update(key, { sett: { a: 1 } } as never),
      /unknown option "sett"; expected "set", "remove", "actions"/,
    ],
    [() => movies.put({ ...key }, { conditon: {} } as never), /unknown option "conditon"/],
    [
      () => movies.batchWrite([{ put: key, delete: key } as never]),
      /request 0: expected \{ put: item \} or \{ delete: key \}/,
    ],
    [
      () => movies.batchWrite([{ put: key }, { delete: key }]),
      /request 1: key \{"year":2000,"title":"x"\} is written twice/,
    ],
    [
      () => movies.put({ year: 1, title: 't'.repeat(1025) }),
      /"title" of table "movies" is 1025 bytes, over the limit of 1024 bytes for a sort key/,
    ],
    [
      () => eddy.queue('movies-dlq').receive({ maxNumberOfMessages: 5 } as never),
      /unknown option "maxNumberOfMessages"/,
    ],
  ]
  for (const [call, message] of cases) {
    await assert.rejects(
      call(),
      (error: unknown) => error instanceof ValidationError && message.test(error.message),
    )
  }
  assert.equal(await movies.get(key), undefined)
  await eddy.close()
})

test('tables - a read after close fails with a StoppedError', async () => {
  const eddy = await openTemp(moviesConfig())
  const movies = eddy.table('movies')
  await eddy.close()

  await assert.rejects(
    movies.get({ year: 1, title: 'a' }),
    (error: unknown) => error instanceof StoppedError,
  )
  await assert.rejects(
    movies.put({ year: 1, title: 'a' }),
    (error: unknown) => error instanceof StoppedError,
  )
})

test('tables - a config that changes a table keys is refused, naming both', async () => {
  const dir = tempDir()
  const first = await openTemp(moviesConfig(), dir)
  await first.table('movies').put({ year: 1, title: 'a' })
  await first.close()

  const changed: EddyConfig = {
    tables: [{ name: 'movies', partitionKey: { name: 'id', type: 'string' } }],
  }
  await assert.rejects(
    openTemp(changed, dir),
    (error: unknown) =>
      error instanceof ConflictError &&
      /Table "movies" has partition key year \(number\) and sort key title \(string\) in the store but partition key id \(string\) and no sort key in the config/.test(
        error.message,
      ),
  )
})
