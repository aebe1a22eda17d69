import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname
const srcIndex = join(root, 'src/index.ts')

/** A config with one table, a consumer that fails on items marked `bad`, and its dead-letter queue. */
function writeConfig(dir: string, fixed: boolean): string {
  const file = join(dir, fixed ? 'fixed.config.ts' : 'eddy.config.ts')
  writeFileSync(
    file,
    `import { defineConfig } from ${JSON.stringify(srcIndex)}
export default defineConfig({
  store: { path: ${JSON.stringify(join(dir, 'eddy.db'))} },
  tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 2 } }],
  consumers: [{
    name: 'indexer', stream: 'users', onFailure: { deadLetter: 'users-dlq' },
    handleRecord: (record) => { if (${!fixed} && record.newImage?.bad) throw new Error('no fullname') },
  }],
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

/** Writes three users (one bad) and lets the broken consumer dead-letter the bad one. */
function produce(config: string): void {
  const script = `
import { createLogger, open } from ${JSON.stringify(srcIndex)}
const { default: config } = await import(${JSON.stringify(config)})
const app = await open(config, { logger: createLogger({ level: 'silent' }) })
await app.start()
await app.table('users').batchWrite([{ put: { id: 'a' } }, { put: { id: 'b', bad: true } }, { put: { id: 'c' } }])
await app.waitUntilCaughtUp()
await app.close()
`
  const file = join(config, '..', 'produce.mts')
  writeFileSync(file, script)
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
}

test('cli - status --json reports each consumer shard and the queue depth', () => {
  const dir = tempDir()
  const config = writeConfig(dir, false)
  produce(config)

  const run = eddy(['status', '--json', '--config', config])
  assert.equal(run.status, 0, run.stderr)
  const status = JSON.parse(run.stdout)
  assert.equal(status.consumers.length, 2)
  const total = (key: string) =>
    status.consumers.reduce((sum: number, c: Record<string, number>) => sum + (c[key] ?? 0), 0)
  assert.equal(total('delivered'), 3)
  assert.equal(total('errors'), 1)
  assert.equal(total('deadLettered'), 1)
  assert.equal(total('behind'), 0)
  for (const shard of status.consumers) {
    assert.ok('checkpoint' in shard && 'iteratorAgeMs' in shard)
  }
  assert.equal(status.queues.length, 1)
  const [queue] = status.queues
  assert.deepEqual(
    [queue.queue, queue.depth, queue.visible, queue.inFlight, queue.delayed],
    ['users-dlq', 1, 1, 0, 0],
  )
  assert.ok(queue.oldestMessageAgeMs >= 0)
})

test('cli - status without --json prints tables', () => {
  const dir = tempDir()
  const config = writeConfig(dir, false)
  produce(config)

  const run = eddy(['status'], dir)
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /consumer.*shard.*checkpoint.*behind.*iterator age/)
  assert.match(run.stdout, /indexer.*shard-0000/)
  assert.match(run.stdout, /users-dlq\s*│\s*1/)
})

test('cli - dlq reprocess with the fixed handler empties the queue and prints what it did', () => {
  const dir = tempDir()
  const broken = writeConfig(dir, false)
  produce(broken)

  const failing = eddy(['dlq', 'reprocess', 'users-dlq', '--config', broken])
  assert.equal(failing.status, 1)
  assert.match(failing.stdout, /failed .*Error: no fullname/)
  assert.match(failing.stdout, /0 reprocessed, 1 failed again/)

  const fixed = eddy([
    'dlq',
    'reprocess',
    'users-dlq',
    '--json',
    '--config',
    writeConfig(dir, true),
  ])
  assert.equal(fixed.status, 0, fixed.stderr)
  const summary = JSON.parse(fixed.stdout)
  // The message that failed above is hidden for its visibility timeout (30 s) and left alone.
  assert.deepEqual([summary.reprocessed, summary.left], [0, 1])
})

test('cli - errors print one line with what to do and exit 1', () => {
  const dir = tempDir()
  const noConfig = eddy(['status'], dir)
  assert.equal(noConfig.status, 1)
  assert.match(
    noConfig.stderr,
    /^eddy: No config file in .*: create eddy\.config\.ts or pass --config <file>\n$/,
  )

  const config = writeConfig(dir, false)
  const noStore = eddy(['status', '--config', config])
  assert.equal(noStore.status, 1)
  assert.match(noStore.stderr, /^eddy: No store at .*eddy\.db: run `eddy dev` first/)

  produce(config)
  const unknownQueue = eddy(['dlq', 'reprocess', 'nope', '--config', config])
  assert.equal(unknownQueue.status, 1)
  assert.match(unknownQueue.stderr, /Queue "nope" is not declared: known queues are "users-dlq"/)

  const badFlag = eddy(['dlq', 'reprocess', 'users-dlq', '--limit', '0', '--config', config])
  assert.equal(badFlag.status, 1)
  assert.match(badFlag.stderr, /--limit.*expected a whole number of at least 1/)
})
