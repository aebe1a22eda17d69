import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { NotFoundError, ValidationError } from '../../src/index.ts'
import { openTemp, tempDir } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname
const srcIndex = join(root, 'src/index.ts')

/** A config with a `jobs` queue that redrives to `jobs-dlq` after one receive. */
function writeConfig(dir: string): string {
  const file = join(dir, 'eddy.config.ts')
  writeFileSync(
    file,
    `import { defineConfig } from ${JSON.stringify(srcIndex)}
export default defineConfig({
  store: { path: ${JSON.stringify(join(dir, 'eddy.db'))} },
  tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' } }],
  consumers: [{ name: 'indexer', stream: 'users', handleRecord: () => {} }],
  queues: [
    { name: 'jobs', visibilityTimeoutSeconds: 0, redrivePolicy: { deadLetterQueue: 'jobs-dlq', maxReceiveCount: 1 } },
    { name: 'jobs-dlq' },
  ],
})
`,
  )
  return file
}

function eddy(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/eddy.js'), ...args], { encoding: 'utf8' })
}

async function fill(dir: string, config: string, jobs: number): Promise<void> {
  const { default: loaded } = await import(config)
  const app = await openTemp(loaded, dir)
  const queue = app.queue('jobs')
  for (let i = 0; i < jobs; i++) await queue.send(`job ${i}`)
  await queue.receive({ maxMessages: 10 })
  await queue.receive({ maxMessages: 10 }) // the second receive redrives them to jobs-dlq
  await app.close()
}

test('dlq cli - show labels redriven messages with their source and says when more exist', async () => {
  const dir = tempDir()
  const config = writeConfig(dir)
  await fill(dir, config, 3)

  const run = eddy(['dlq', 'show', 'jobs-dlq', '--limit', '2', '--config', config])
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /redriven from jobs: job 0/)
  assert.doesNotMatch(run.stdout, /not a dead letter/)
  assert.match(run.stdout, /showing the first 2 messages; pass --limit to see more/)
})

test('dlq cli - reprocess of messages that are not dead letters leaves them and exits 0', async () => {
  const dir = tempDir()
  const config = writeConfig(dir)
  await fill(dir, config, 2)

  const run = eddy(['dlq', 'reprocess', 'jobs-dlq', '--config', config])
  assert.equal(run.status, 0, run.stderr)
  assert.match(
    run.stdout,
    /0 reprocessed, 0 failed again, 2 left in the queue, 2 skipped as not dead letters/,
  )
})

test('dlq - an unknown consumer filter and a move to the same queue are refused', async () => {
  const dir = tempDir()
  const { default: loaded } = await import(writeConfig(dir))
  const app = await openTemp(loaded, dir)

  await assert.rejects(
    app.reprocess('jobs-dlq', { filter: { consumer: 'nope' } }),
    (error: unknown) =>
      error instanceof NotFoundError &&
      /Consumer "nope" is not declared: known consumers are "indexer"/.test(error.message),
  )
  await assert.rejects(
    app.move('jobs-dlq', { to: 'jobs-dlq' }),
    (error: unknown) =>
      error instanceof ValidationError &&
      /Move from queue "jobs-dlq" to itself/.test(error.message),
  )
  await app.close()
})
