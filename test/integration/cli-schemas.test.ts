import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { open } from '../../src/index.ts'
import type { JsonSchema } from '../../src/schemas/index.ts'
import { silent, tempDir, usersPolite, usersRenamed, usersV1 } from './schemas-fixtures.ts'

const root = join(import.meta.dirname, '../..')

/** Writes a config file with the users table, the indexer and the notifier; returns its path. */
function writeConfig(dir: string, versions: JsonSchema[]): string {
  const file = join(dir, 'eddy.config.mjs')
  const config = {
    store: { path: join(dir, 'eddy.db') },
    tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' } }],
    schemas: [{ stream: 'users', versions }],
    consumers: [
      { name: 'search-indexer', stream: 'users', contract: { fields: { fullname: 'string' } } },
      { name: 'slack-notifier', stream: 'users', contract: { fields: { id: 'string' } } },
    ],
  }
  const handlers = `for (const c of config.consumers) c.handleRecord = () => {}`
  writeFileSync(
    file,
    `const config = ${JSON.stringify(config)}\n${handlers}\nexport default config\n`,
  )
  return file
}

function writeSchema(dir: string, name: string, schema: JsonSchema): string {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(schema))
  return file
}

function eddy(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/eddy.js', ...args], {
    cwd: root,
    encoding: 'utf8',
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

test('cli schema check - a proposal that removes fullname exits 1 and names the indexer', () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1])
  const schema = writeSchema(dir, 'users.v2.json', usersRenamed)

  const run = eddy('schema', 'check', '--schema', schema, '--stream', 'users', '--config', config)
  assert.equal(run.code, 1, run.stderr)
  assert.match(run.stdout, /consumer search-indexer: BREAKS\n {4}breaks fullname: field-removed/)
  assert.match(run.stdout, /consumer slack-notifier: ok/)
  assert.match(run.stdout, /result: breaks consumer search-indexer/)
  remove()
})

test('cli schema check - a polite proposal exits 0 and lists the added fields as fine', () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1])
  const schema = writeSchema(dir, 'users.v2.json', usersPolite)

  const run = eddy('schema', 'check', '--schema', schema, '--config', config)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assert.match(run.stdout, /fine {3}firstname: optional field added \(string\)/)
  assert.match(run.stdout, /result: compatible; no consumer breaks/)
  remove()
})

test('cli schema check - --json prints the reports for tools', () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1])
  const schema = writeSchema(dir, 'users.v2.json', usersRenamed)

  const run = eddy('schema', 'check', '--schema', schema, '--json', '--config', config)
  assert.equal(run.code, 1)
  const output = JSON.parse(run.stdout) as {
    ok: boolean
    reports: { consumers: { consumer: string; breaks: unknown[] }[] }[]
  }
  assert.equal(output.ok, false)
  const broken = output.reports[0]?.consumers
    .filter((c) => c.breaks.length > 0)
    .map((c) => c.consumer)
  assert.deepEqual(broken, ['search-indexer'])
  remove()
})

test('cli schema check - without --schema it checks the config as it now stands', () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1, usersRenamed])

  const run = eddy('schema', 'check', '--config', config)
  assert.equal(run.code, 1, run.stderr)
  assert.match(run.stdout, /stream users: version 2 \(new; latest 1/)
  assert.match(run.stdout, /consumer search-indexer: BREAKS/)
  remove()
})

test('cli schema check - a missing schema file is one line on stderr and exit 1', () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1])

  const run = eddy('schema', 'check', '--schema', join(dir, 'nope.json'), '--config', config)
  assert.equal(run.code, 1)
  assert.match(run.stderr, /^eddy: Schema file .*nope\.json does not load/)
  assert.equal(run.stderr.trim().split('\n').length, 1)
  remove()
})

test('cli consumers list - shows each consumer of the stream with its contract', () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1])

  const run = eddy('consumers', 'list', '--stream', 'users', '--config', config)
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /search-indexer.*users.*retry.*fullname: string/)
  const json = JSON.parse(eddy('consumers', 'list', '--json', '--config', config).stdout) as {
    consumer: string
    contract: { fields: { path: string; required: boolean }[] } | null
  }[]
  assert.deepEqual(
    json.map((c) => [c.consumer, c.contract?.fields.map((f) => f.path)]),
    [
      ['search-indexer', ['fullname']],
      ['slack-notifier', ['id']],
    ],
  )
  remove()
})

test('cli schema infer - prints the schema of what the stream carried', async () => {
  const { dir, remove } = tempDir()
  const config = writeConfig(dir, [usersV1])
  const app = await open(
    {
      store: { path: join(dir, 'eddy.db') },
      tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' } }],
    },
    { logger: silent },
  )
  await app.table('users').put({ id: 'a', fullname: 'Ada Lovelace', email: 'ada@example.org' })
  await app.table('users').put({ id: 'b', fullname: 'Alan Turing' })
  await app.close()

  const run = eddy('schema', 'infer', 'users', '--json', '--config', config)
  assert.equal(run.code, 0, run.stderr)
  const schema = JSON.parse(run.stdout) as {
    required: string[]
    properties: Record<string, unknown>
  }
  assert.deepEqual(schema.required, ['fullname', 'id'])
  assert.ok(schema.properties.email)
  const table = eddy('schema', 'infer', 'users', '--config', config)
  assert.match(table.stdout, /2 items read/)
  remove()
})
