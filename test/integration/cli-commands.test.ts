import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createLogger, open } from '../../src/index.ts'
import { tempDir } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname
const srcIndex = join(root, 'src/index.ts')

/** A users table whose indexer dead-letters items marked `bad` to users-dlq; a spare queue. */
function writeConfig(dir: string): string {
  const file = join(dir, 'eddy.config.ts')
  writeFileSync(
    file,
    `import { defineConfig } from ${JSON.stringify(srcIndex)}
export default defineConfig({
  store: { path: ${JSON.stringify(join(dir, 'eddy.db'))} },
  tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 2 } }],
  queues: [{ name: 'spare' }],
  consumers: [{
    name: 'indexer', stream: 'users', onFailure: { deadLetter: 'users-dlq' },
    handleRecord: (record) => { if (record.newImage?.bad) throw new Error('no fullname') },
  }],
})
`,
  )
  return file
}

async function produce(config: string): Promise<void> {
  const { default: app } = await import(config)
  const eddy = await open(app, { logger: createLogger({ level: 'silent' }) })
  await eddy.start()
  await eddy
    .table('users')
    .batchWrite([
      { put: { id: 'a' } },
      { put: { id: 'b', bad: true } },
      { put: { id: 'c', bad: true } },
    ])
  await eddy.waitUntilCaughtUp()
  await eddy.close()
}

function ok(args: string[]): string {
  const run = spawnSync(process.execPath, [join(root, 'bin/eddy.js'), ...args], {
    encoding: 'utf8',
  })
  assert.equal(run.status, 0, `eddy ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

test('cli - consumers disable and enable, with and without --json', async () => {
  const config = writeConfig(tempDir())
  await produce(config)
  const c = ['--config', config]
  assert.equal(ok(['consumers', 'disable', 'indexer', ...c]), 'consumer "indexer" disabled\n')
  const states = JSON.parse(ok(['status', '--json', ...c])).consumers.map(
    (s: { state: string }) => s.state,
  )
  assert.deepEqual(states, ['disabled', 'disabled'])
  assert.deepEqual(JSON.parse(ok(['consumers', 'enable', 'indexer', '--json', ...c])), {
    consumer: 'indexer',
    enabled: true,
  })
  assert.match(
    ok(['consumers', 'list', ...c]),
    /indexer\s*│\s*users\s*│\s*dead-letter to users-dlq/,
  )
})

test('cli - replay --yes moves the checkpoints back, with and without --json', async () => {
  const config = writeConfig(tempDir())
  await produce(config)
  const c = ['--config', config, '--yes']
  assert.match(
    ok(['replay', 'indexer', '--from', '1', ...c]),
    /checkpoint now[\s\S]*moved 2 checkpoint\(s\) of consumer "indexer"/,
  )
  const moved = JSON.parse(ok(['replay', 'indexer', '--from', 'ms:0', '--json', ...c]))
  assert.deepEqual(
    moved.shards.map((s: { checkpoint: number }) => s.checkpoint),
    [0, 0],
  )
})

test('cli - dlq list, show and move, with and without --json', async () => {
  const config = writeConfig(tempDir())
  await produce(config)
  const c = ['--config', config]
  assert.match(ok(['dlq', 'list', ...c]), /users-dlq\s*│\s*consumer indexer\s*│\s*2/)
  const [queue] = JSON.parse(ok(['dlq', 'list', '--json', ...c])).queues
  assert.deepEqual([queue.queue, queue.visible], ['users-dlq', 2])

  const shown = JSON.parse(ok(['dlq', 'show', 'users-dlq', '--json', ...c]))
  assert.equal(shown.messages.length, 2)
  assert.match(ok(['dlq', 'show', 'users-dlq', ...c]), /no fullname/)

  assert.match(
    ok(['dlq', 'move', 'users-dlq', '--to', 'spare', '--limit', '1', ...c]),
    /queue users-dlq: 1 moved to spare/,
  )
  const moved = JSON.parse(ok(['dlq', 'move', 'users-dlq', '--to', 'spare', '--json', ...c]))
  assert.deepEqual([moved.moved, moved.left], [1, 0])
})
