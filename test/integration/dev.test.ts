import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createLogger, open } from '../../src/index.ts'
import { tempDir, waitFor } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname
const config = join(root, 'test/fixtures/slow-config.ts')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`dev - ${signal} stops after the record in the handler and never checkpoints past it`, async () => {
    const dir = tempDir()
    const log = join(dir, 'handled.log')
    const env = { ...process.env, EDDY_TEST_DIR: dir }
    const { default: slowConfig } = await import(`${config}?dir=${dir}`)
    const producer = await open(
      { ...slowConfig, store: { path: join(dir, 'eddy.db') }, consumers: [] },
      {
        logger: createLogger({ level: 'silent' }),
      },
    )
    await producer
      .table('jobs')
      .batchWrite(Array.from({ length: 20 }, (_, i) => ({ put: { id: `j${i}` } })))
    await producer.close()

    const dev = spawn(
      process.execPath,
      [
        join(root, 'bin/eddy.js'),
        'dev',
        '--config',
        config,
        '--log-level',
        'silent',
        '--port',
        '0',
      ],
      { env },
    )
    await waitFor(
      () =>
        existsSync(log) &&
        readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('end')).length >= 3,
    )
    dev.kill(signal)
    const code = await new Promise((resolve) => dev.once('exit', resolve))
    assert.equal(code, 0)

    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean)
    const started = lines.filter((l) => l.startsWith('start')).map((l) => Number(l.split(' ')[1]))
    const ended = new Set(
      lines.filter((l) => l.startsWith('end')).map((l) => Number(l.split(' ')[1])),
    )
    assert.ok(started.length < 20, 'the stop came before the end of the batch')
    assert.deepEqual(
      started.filter((seq) => !ended.has(seq)),
      [],
      'the record in the handler finished',
    )

    const reopened = await open(
      { ...slowConfig, store: { path: join(dir, 'eddy.db') } },
      { logger: createLogger({ level: 'silent' }) },
    )
    const [shard] = (await reopened.status()).consumers
    assert.equal(
      Number(shard?.checkpoint),
      Math.max(...ended),
      'the checkpoint covers exactly the finished records',
    )
    await reopened.close()
  })
}
