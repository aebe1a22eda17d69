import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createLogger, open } from '../../src/index.ts'
import { tempDir, waitFor } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname
const srcIndex = join(root, 'src/index.ts')

/**
 * A config with a users table, a standalone `clicks` stream, a consumer that writes what it
 * handled (with the label from handler.ts) to handled.log, and an alarm on its iterator age.
 */
function writeApp(dir: string, label = 'v1'): string {
  writeFileSync(join(dir, 'handler.ts'), `export const label = ${JSON.stringify(label)}\n`)
  const file = join(dir, 'eddy.config.ts')
  writeFileSync(
    file,
    `import { appendFileSync } from 'node:fs'
import { defineConfig } from ${JSON.stringify(srcIndex)}
import { label } from './handler.ts'
export default defineConfig({
  store: { path: ${JSON.stringify(join(dir, 'eddy.db'))} },
  tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 2 } }],
  streams: [{ name: 'clicks', shards: 1 }],
  consumers: [{
    name: 'audit', stream: 'users', onFailure: { deadLetter: 'audit-dlq' },
    handleRecord: (record) => {
      appendFileSync(${JSON.stringify(join(dir, 'handled.log'))}, label + ' ' + record.keys.id + '\\n')
    },
  }],
  alarms: [{ name: 'audit-lag', metric: 'iteratorAgeMs', consumer: 'audit', threshold: 60000 }],
})
`,
  )
  return file
}

function eddy(args: string[], cwd = root) {
  return spawnSync(process.execPath, [join(root, 'bin/eddy.js'), ...args], {
    cwd,
    encoding: 'utf8',
  })
}

function ok(args: string[], cwd = root): string {
  const run = eddy(args, cwd)
  assert.equal(run.status, 0, `eddy ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

function handled(dir: string): string[] {
  const log = join(dir, 'handled.log')
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
}

test('cli - put, get, query and delete, with and without --json', () => {
  const config = writeApp(tempDir())
  const c = ['--config', config]
  assert.match(ok(['put', 'users', '{"id":"u1","name":"Ada"}', ...c]), /INSERT, sequence number/)
  const put = JSON.parse(ok(['put', 'users', '{"id":"u2","name":"Bob"}', '--json', ...c]))
  assert.equal(put.eventName, 'INSERT')

  assert.deepEqual(JSON.parse(ok(['get', 'users', '{"id":"u1"}', '--json', ...c])).item, {
    id: 'u1',
    name: 'Ada',
  })
  assert.match(ok(['get', 'users', '{"id":"u2"}', ...c]), /"Bob"/)
  const page = JSON.parse(ok(['query', 'users', 'u2', '--json', ...c]))
  assert.deepEqual([page.count, page.items[0].name], [1, 'Bob'])
  assert.match(ok(['query', 'users', 'u1', ...c]), /"Ada"[\s\S]*1 item\(s\)/)

  assert.match(ok(['delete', 'users', '{"id":"u1"}', ...c]), /deleted from users/)
  assert.equal(JSON.parse(ok(['delete', 'users', '{"id":"u2"}', '--json', ...c])).deleted, true)
  const missing = eddy(['get', 'users', '{"id":"u1"}', ...c])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /^eddy: No item with key \{"id":"u1"\} in table "users": try/)

  const bad = eddy(['put', 'users', '{id:1}', ...c])
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /^eddy: ITEM "\{id:1\}" is not JSON: quote it for the shell/)
  const unknown = eddy(['put', 'orders', '{"id":"o1"}', ...c])
  assert.match(unknown.stderr, /^eddy: Table "orders" is not declared: known tables are "users"/)
})

test('cli - publish and streams list, describe and read, with and without --json', () => {
  const config = writeApp(tempDir())
  const c = ['--config', config]
  assert.match(
    ok(['publish', 'clicks', '{"page":"/"}', '--partition-key', 'u1', ...c]),
    /published to clicks: shard-0000/,
  )
  const published = JSON.parse(ok(['publish', 'clicks', 'hello', '-k', 'u1', '--json', ...c]))
  assert.equal(published.sequenceNumber, '00000000000000000002')
  ok(['put', 'users', '{"id":"u1"}', ...c])

  const list = JSON.parse(ok(['streams', 'list', '--json', ...c])).streams
  assert.deepEqual(
    list.map((s: { stream: string; records: number }) => [s.stream, s.records]).sort(),
    [
      ['clicks', 2],
      ['users', 1],
    ],
  )
  assert.match(ok(['streams', 'list', ...c]), /clicks\s*│\s*\(standalone\)/)

  const described = JSON.parse(ok(['streams', 'describe', 'users', '--json', ...c]))
  assert.equal(described.shards.length, 2)
  assert.match(ok(['streams', 'describe', 'clicks', ...c]), /shard-0000\s*│\s*2/)

  const read = JSON.parse(ok(['streams', 'read', 'clicks', '--json', ...c]))
  assert.deepEqual(
    read.records.map((r: { data: unknown }) => r.data),
    [{ page: '/' }, 'hello'],
  )
  const after = JSON.parse(ok(['streams', 'read', 'clicks', '--from', '2', '--json', ...c]))
  assert.deepEqual(
    after.records.map((r: { data: unknown }) => r.data),
    ['hello'],
  )
  assert.match(ok(['streams', 'read', 'users', '--limit', '1', ...c]), /INSERT[\s\S]*1 record/)
  const badFrom = eddy(['streams', 'read', 'users', '--from', 'yesterday', ...c])
  assert.equal(badFrom.status, 1)
  assert.match(badFrom.stderr, /--from "yesterday" is not a position: give trim-horizon/)
})

test('cli - init writes a project that loads, and refuses to overwrite it', () => {
  const parent = tempDir()
  const out = ok(['init', 'app'], parent)
  assert.match(out, /next steps:\n {2}cd app\n/)
  const dir = join(parent, 'app')
  assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), '.eddy/\n')
  // The project runs as written: the config loads and its consumer has a dead-letter queue.
  const consumers = JSON.parse(ok(['consumers', 'list', '--json'], dir))
  assert.deepEqual(consumers[0].onFailure, { deadLetter: 'welcome-dlq' })

  const again = eddy(['init', 'app', '--json'], parent)
  assert.equal(again.status, 1)
  assert.match(again.stderr, /eddy\.config\.ts already exists; eddy init replaces no file/)

  writeFileSync(join(parent, '.gitignore'), 'node_modules')
  const json = JSON.parse(ok(['init', '--json'], parent))
  assert.equal(json.files.length, 2)
  assert.equal(readFileSync(join(parent, '.gitignore'), 'utf8'), 'node_modules\n.eddy/\n')
})

test('cli - status shows alarm states that another process evaluated', async () => {
  const dir = tempDir()
  const config = writeApp(dir)
  const { default: app } = await import(config)
  const eddy = await open(app, { logger: createLogger({ level: 'silent' }) })
  let nowMs = Date.now()
  const monitor = eddy.alarmMonitor({ clock: () => nowMs })
  await monitor.prime()
  nowMs += 60_000
  await monitor.tick()
  await eddy.close()

  const before = JSON.parse(ok(['status', '--json', '--config', config])).alarms
  assert.deepEqual(
    before.map((a: { alarm: string; state: string }) => [a.alarm, a.state]),
    [['audit-lag', 'INSUFFICIENT_DATA']],
  )
  assert.ok(before[0].evaluatedAt, 'the evaluation was stored')
  assert.match(ok(['status', '--config', config]), /audit-lag\s*│\s*INSUFFICIENT_DATA/)
})

test('cli - start runs the consumers until SIGTERM and exits 0', async () => {
  const dir = tempDir()
  const config = writeApp(dir)
  ok(['put', 'users', '{"id":"u1"}', '--config', config])
  const start = spawn(process.execPath, [
    join(root, 'bin/eddy.js'),
    'start',
    '--config',
    config,
    '--log-level',
    'silent',
    '--port',
    '0',
  ])
  await waitFor(() => handled(dir).length === 1)
  start.kill('SIGTERM')
  const code = await new Promise((resolve) => start.once('exit', resolve))
  assert.equal(code, 0)
  assert.deepEqual(handled(dir), ['v1 u1'])
})

test('cli - dev restarts the consumers when a module of the config changes', async () => {
  const dir = tempDir()
  const config = writeApp(dir, 'v1')
  ok(['put', 'users', '{"id":"u1"}', '--config', config])
  const dev = spawn(
    process.execPath,
    [join(root, 'bin/eddy.js'), 'dev', '--config', config, '--port', '0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let log = ''
  dev.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()))
  try {
    await waitFor(() => handled(dir).length === 1, 20_000)
    writeFileSync(join(dir, 'handler.ts'), 'export const label = "v2"\n')
    await waitFor(() => log.includes('a file changed: restarting the consumers'), 20_000)
    await waitFor(() => (log.match(/eddy is running/g) ?? []).length === 2, 20_000)
    ok(['put', 'users', '{"id":"u2"}', '--config', config])
    await waitFor(() => handled(dir).length === 2, 20_000)
    assert.deepEqual(handled(dir), ['v1 u1', 'v2 u2'])
  } finally {
    dev.kill('SIGINT')
    const code = await new Promise((resolve) => dev.once('exit', resolve))
    assert.equal(code, 0, log)
  }
})
