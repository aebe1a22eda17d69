import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { z } from 'zod'
import { open, SchemaIncompatibleError } from '../../src/index.ts'
import type { SchemaCheckReport } from '../../src/schemas/index.ts'
import {
  silent,
  tempDir,
  usersConfig,
  usersPolite,
  usersRenamed,
  usersV1,
} from './schemas-fixtures.ts'

function impactOn(report: SchemaCheckReport | undefined, consumer: string) {
  const impact = report?.consumers.find((c) => c.consumer === consumer)
  assert.ok(impact, `a report for ${consumer}`)
  return impact
}

test('schemas - removing fullname breaks the indexer by name', async () => {
  const { dir, remove } = tempDir()
  const eddy = await open(usersConfig(dir, [usersV1]), { logger: silent })
  try {
    const [report] = await eddy.checkSchemas({ stream: 'users', schema: usersRenamed })
    assert.equal(report?.ok, false)
    assert.equal(report?.version, 2)
    const indexer = impactOn(report, 'search-indexer')
    assert.deepEqual(
      indexer.breaks.map((b) => [b.path, b.kind]),
      [['fullname', 'field-removed']],
    )
    assert.deepEqual(impactOn(report, 'slack-notifier').breaks, [])
  } finally {
    await eddy.close()
    remove()
  }
})

test('schemas - adding firstname and lastname next to fullname breaks nobody', async () => {
  const { dir, remove } = tempDir()
  const eddy = await open(usersConfig(dir, [usersV1]), { logger: silent })
  try {
    const [report] = await eddy.checkSchemas({ stream: 'users', schema: usersPolite })
    assert.equal(report?.ok, true)
    const indexer = impactOn(report, 'search-indexer')
    assert.deepEqual(indexer.breaks, [])
    assert.deepEqual(
      indexer.fine.map((c) => [c.path, c.kind, c.breaks]),
      [
        ['firstname', 'field-added', []],
        ['lastname', 'field-added', []],
      ],
    )
  } finally {
    await eddy.close()
    remove()
  }
})

test('schemas - a needed field made optional, a changed type and a narrowed enum break a contract', async () => {
  const { dir, remove } = tempDir()
  const status = { type: 'string', enum: ['active', 'archived'] }
  const v1 = {
    type: 'object',
    properties: { id: { type: 'string' }, fullname: { type: 'string' }, status },
    required: ['id', 'fullname', 'status'],
  }
  const config = usersConfig(dir, [v1])
  config.consumers?.push({
    name: 'archiver',
    stream: 'users',
    handleRecord: () => {},
    contract: { fields: { status: { type: 'string', enum: ['active', 'archived'] } } },
  })
  const eddy = await open(config, { logger: silent })
  try {
    const v2 = {
      type: 'object',
      properties: {
        id: { type: 'number' },
        fullname: { type: 'string' },
        status: { type: 'string', enum: ['active'] },
      },
      required: ['id', 'status'],
    }
    const [report] = await eddy.checkSchemas({ stream: 'users', schema: v2 })
    const kinds = (consumer: string) =>
      impactOn(report, consumer).breaks.map((b) => [b.path, b.kind])
    assert.deepEqual(kinds('search-indexer'), [['fullname', 'made-optional']])
    assert.deepEqual(kinds('slack-notifier'), [['id', 'type-changed']])
    assert.deepEqual(kinds('archiver'), [['status', 'enum-narrowed']])
  } finally {
    await eddy.close()
    remove()
  }
})

test('schemas - registering the same versions again keeps their numbers', async () => {
  const { dir, remove } = tempDir()
  const zodV1 = z.object({ id: z.string(), fullname: z.string(), email: z.string().optional() })
  for (let run = 0; run < 2; run++) {
    const eddy = await open(usersConfig(dir, [zodV1, usersPolite]), { logger: silent })
    const versions = await eddy.schemaVersions('users')
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2],
    )
    await eddy.close()
  }
  remove()
})

test('schemas - open refuses a version that breaks a consumer and registers nothing', async () => {
  const { dir, remove } = tempDir()
  const first = await open(usersConfig(dir, [usersV1]), { logger: silent })
  await first.close()

  await assert.rejects(
    open(usersConfig(dir, [usersV1, usersRenamed]), { logger: silent }),
    (error) => {
      assert.ok(error instanceof SchemaIncompatibleError)
      assert.equal(error.code, 'EDDY_SCHEMA_INCOMPATIBLE')
      assert.match(error.message, /consumer "search-indexer": fullname field-removed/)
      assert.doesNotMatch(error.message, /slack-notifier/)
      return true
    },
  )

  const again = await open(usersConfig(dir, [usersV1]), { logger: silent })
  assert.equal((await again.schemaVersions('users')).length, 1)
  await again.close()
  remove()
})

test('schemas - open refuses a version that its compatibility mode forbids', async () => {
  const { dir, remove } = tempDir()
  const config = usersConfig(
    dir,
    [usersV1, { ...usersV1, required: ['id', 'fullname', 'email'] }],
    {},
  )
  config.schemas = [
    { stream: 'users', compatibility: 'backward', versions: config.schemas?.[0]?.versions ?? [] },
  ]
  await assert.rejects(
    open(config, { logger: silent }),
    /compatibility backward refuses email: optional field made required/,
  )
  remove()
})

test('schemas - change records carry the version of the latest schema', async () => {
  const { dir, remove } = tempDir()
  const withoutSchemas = usersConfig(dir, [usersV1])
  delete withoutSchemas.schemas
  const before = await open(withoutSchemas, { logger: silent })
  await before.table('users').put({ id: 'u1', fullname: 'Ada Lovelace' })
  await before.close()

  const eddy = await open(usersConfig(dir, [usersV1, usersPolite]), { logger: silent })
  await eddy.table('users').put({ id: 'u2', fullname: 'Alan Turing' })
  const records = [0, 1].flatMap((shard) => eddy.store.readRecords('users', shard, 0, 10))
  const byId = new Map((await Promise.all(records)).flat().map((r) => [r.keys.id, r]))
  assert.equal(byId.get('u1')?.schemaVersion, undefined)
  assert.equal(byId.get('u2')?.schemaVersion, 2)
  await eddy.close()
  remove()
})

test('schemas - inference on the movie data finds that info.rating and info.plot are optional', async () => {
  const { dir, remove } = tempDir()
  const file = join(
    import.meta.dirname,
    '../../../shared/data/dynamodb-getting-started/moviedata.json',
  )
  const movies = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]
  const eddy = await open(
    {
      store: { path: join(dir, 'eddy.db'), durability: 'normal' },
      tables: [
        {
          name: 'movies',
          partitionKey: { name: 'year', type: 'number' },
          sortKey: { name: 'title', type: 'string' },
        },
      ],
    },
    { logger: silent },
  )
  try {
    const table = eddy.table('movies')
    for (let start = 0; start < movies.length; start += 500) {
      await table.batchWrite(movies.slice(start, start + 500).map((put) => ({ put })))
    }

    const inferred = await eddy.inferSchema('movies')
    assert.equal(inferred.items, movies.length)
    const field = (path: string) => inferred.fields.find((f) => f.path === path)
    assert.equal(field('info.rating')?.required, false)
    assert.equal(field('info.plot')?.required, false)
    assert.deepEqual(field('info.rating')?.types, ['number'])
    assert.equal(field('year')?.required, true)
    assert.deepEqual(field('year')?.types, ['integer'])
    assert.equal(field('title')?.required, true)
    assert.equal(field('info')?.required, true)

    const sampled = await eddy.inferSchema('movies', { sample: 100 })
    assert.equal(sampled.items, 100)
  } finally {
    await eddy.close()
    remove()
  }
})

test('schemas - config errors name the path of a bad schema or stream', async () => {
  const { dir, remove } = tempDir()
  const notObjects = usersConfig(dir, [{ type: 'string' }])
  await assert.rejects(
    open(notObjects, { logger: silent }),
    /Config schemas\[0\]\.versions\[0\]: expected a schema of objects/,
  )

  const unknownStream = usersConfig(dir, [usersV1])
  unknownStream.schemas = [{ stream: 'people', versions: [usersV1] }]
  await assert.rejects(
    open(unknownStream, { logger: silent }),
    /Config schemas\[0\]\.stream: "people" is not a declared stream/,
  )

  const badMode = usersConfig(dir, [usersV1])
  badMode.schemas = [{ stream: 'users', compatibility: 'sideways' as 'full', versions: [usersV1] }]
  await assert.rejects(open(badMode, { logger: silent }), /Config schemas\[0\]\.compatibility/)
  remove()
})

test('schemas - a schema contract with an $id can be opened twice in one process', async () => {
  const { dir, remove } = tempDir()
  const config = usersConfig(dir, [usersV1])
  const consumer = config.consumers?.[0]
  assert.ok(consumer)
  consumer.contract = { schema: { $id: 'https://example.org/user', ...usersV1 } }
  for (let run = 0; run < 2; run++) await (await open(config, { logger: silent })).close()
  remove()
})
