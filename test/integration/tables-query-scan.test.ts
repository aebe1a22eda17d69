import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Item } from '../../src/streams/types.ts'
import type { QueryOptions } from '../../src/tables/index.ts'
import { openTemp } from './helpers.ts'

const config = {
  tables: [
    {
      name: 'events',
      partitionKey: { name: 'user', type: 'string' as const },
      sortKey: { name: 'at', type: 'string' as const },
    },
    {
      name: 'scores',
      partitionKey: { name: 'game', type: 'string' as const },
      sortKey: { name: 'points', type: 'number' as const },
    },
  ],
}

async function seeded(t: Parameters<typeof openTemp>[0]) {
  const eddy = await openTemp(t, config)
  const events = eddy.table('events')
  const days = ['2024-01-01', '2024-01-02', '2024-02-01', '2024-02-15', '2024-03-01']
  await events.batchWrite(
    days.map((at, index) => ({
      put: { user: 'u1', at, n: index, kind: index % 2 ? 'odd' : 'even' },
    })),
  )
  await events.put({ user: 'u2', at: '2024-01-01', n: 99 })
  const scores = eddy.table('scores')
  await scores.batchWrite([-5, 2, 10, 100, 3.5].map((points) => ({ put: { game: 'g', points } })))
  return { eddy, events, scores }
}

const ats = (items: Item[]) => items.map((item) => item.at)

test('query - reads one partition in sort key order, forward and backward', async (t) => {
  const { events } = await seeded(t)

  const forward = await events.query({ partitionKey: 'u1' })
  const backward = await events.query({ partitionKey: 'u1', forward: false })

  assert.deepEqual(ats(forward.items), [
    '2024-01-01',
    '2024-01-02',
    '2024-02-01',
    '2024-02-15',
    '2024-03-01',
  ])
  assert.deepEqual(ats(backward.items), ats(forward.items).reverse())
  assert.equal(forward.lastEvaluatedKey, undefined)
})

const sortKeyCases: [string, QueryOptions['sortKey'], string[]][] = [
  ['=', { op: '=', value: '2024-02-01' }, ['2024-02-01']],
  ['<', { op: '<', value: '2024-02-01' }, ['2024-01-01', '2024-01-02']],
  ['<=', { op: '<=', value: '2024-02-01' }, ['2024-01-01', '2024-01-02', '2024-02-01']],
  ['>', { op: '>', value: '2024-02-01' }, ['2024-02-15', '2024-03-01']],
  ['>=', { op: '>=', value: '2024-02-15' }, ['2024-02-15', '2024-03-01']],
  [
    'between',
    { between: ['2024-01-02', '2024-02-15'] },
    ['2024-01-02', '2024-02-01', '2024-02-15'],
  ],
  ['beginsWith', { beginsWith: '2024-02' }, ['2024-02-01', '2024-02-15']],
]

for (const [name, sortKey, expected] of sortKeyCases) {
  test(`query - sort key condition ${name} selects its range`, async (t) => {
    const { events } = await seeded(t)
    assert.deepEqual(ats((await events.query({ partitionKey: 'u1', sortKey })).items), expected)
  })
}

test('query - numeric sort keys order as numbers', async (t) => {
  const { scores } = await seeded(t)
  const page = await scores.query({ partitionKey: 'g', sortKey: { op: '>', value: 2 } })
  assert.deepEqual(
    page.items.map((item) => item.points),
    [3.5, 10, 100],
  )
})

test('query - limit and continuation token page through every item once', async (t) => {
  const { events } = await seeded(t)
  const seen: unknown[] = []
  let exclusiveStartKey: Item | undefined
  let pages = 0

  do {
    const page = await events.query({
      partitionKey: 'u1',
      limit: 2,
      forward: false,
      exclusiveStartKey,
    })
    seen.push(...ats(page.items))
    exclusiveStartKey = page.lastEvaluatedKey
    pages++
  } while (exclusiveStartKey)

  assert.deepEqual(seen, ['2024-03-01', '2024-02-15', '2024-02-01', '2024-01-02', '2024-01-01'])
  assert.equal(pages, 3)
})

test('query - filter runs after the limit and projection selects paths', async (t) => {
  const { events } = await seeded(t)

  const page = await events.query({
    partitionKey: 'u1',
    limit: 3,
    filter: { compare: { path: 'kind' }, op: '=', to: { value: 'even' } },
    projection: ['at', 'n'],
  })

  assert.equal(page.scannedCount, 3)
  assert.equal(page.count, 2)
  assert.deepEqual(page.items, [
    { at: '2024-01-01', n: 0 },
    { at: '2024-02-01', n: 2 },
  ])
  assert.deepEqual(page.lastEvaluatedKey, { user: 'u1', at: '2024-02-01' })
})

test('scan - reads every item with limit and continuation token', async (t) => {
  const { events } = await seeded(t)
  const seen: Item[] = []
  let exclusiveStartKey: Item | undefined
  do {
    const page = await events.scan({ limit: 4, exclusiveStartKey })
    seen.push(...page.items)
    exclusiveStartKey = page.lastEvaluatedKey
  } while (exclusiveStartKey)
  assert.equal(seen.length, 6)
})

test('scan - segments split the table without overlap', async (t) => {
  const eddy = await openTemp(t, config)
  const events = eddy.table('events')
  await events.batchWrite(
    Array.from({ length: 60 }, (_, i) => ({ put: { user: `u${i}`, at: 'x' } })),
  )

  const segments = await Promise.all(
    [0, 1, 2].map((segment) => events.scan({ segment, totalSegments: 3 })),
  )
  const users = segments.flatMap((page) => page.items.map((item) => item.user))

  assert.equal(users.length, 60)
  assert.equal(new Set(users).size, 60)
  assert.ok(segments.every((page) => page.count > 0))
})

test('scan - filter and projection apply', async (t) => {
  const { events } = await seeded(t)
  const page = await events.scan({
    filter: { compare: { path: 'n' }, op: '>=', to: { value: 4 } },
    projection: ['n'],
  })
  assert.deepEqual(page.items.map((item) => item.n).sort(), [4, 99])
  assert.equal(page.scannedCount, 6)
})

test('batch get - returns found items in the order asked, with a projection', async (t) => {
  const { events } = await seeded(t)
  const items = await events.batchGet(
    [
      { user: 'u2', at: '2024-01-01' },
      { user: 'u1', at: 'missing' },
      { user: 'u1', at: '2024-01-01' },
    ],
    { projection: ['n'] },
  )
  assert.deepEqual(items, [{ n: 99 }, { n: 0 }])
})

test('query - binary sort keys take Buffers or base64 and order by bytes', async (t) => {
  const eddy = await openTemp(t, {
    tables: [
      {
        name: 'blobs',
        partitionKey: { name: 'p', type: 'binary' },
        sortKey: { name: 's', type: 'binary' },
      },
    ],
  })
  const blobs = eddy.table('blobs')
  const p = Buffer.from([1, 2])
  for (const bytes of [[0xff], [0x01, 0x00], [0x01], [0x7f, 0x01]])
    await blobs.put({ p, s: Buffer.from(bytes) })

  const all = await blobs.query({ partitionKey: p.toString('base64') })
  const prefixed = await blobs.query({
    partitionKey: p,
    sortKey: { beginsWith: Buffer.from([0x01]) },
  })

  const hex = (items: Item[]) =>
    items.map((item) => Buffer.from(item.s as string, 'base64').toString('hex'))
  assert.deepEqual(hex(all.items), ['01', '0100', '7f01', 'ff'])
  assert.deepEqual(hex(prefixed.items), ['01', '0100'])
  assert.equal(all.items[0]?.p, p.toString('base64'))
})
