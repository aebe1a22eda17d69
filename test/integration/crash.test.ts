import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { createLogger, open } from '../../src/index.ts'
import { tempDir, waitFor } from '../helpers.ts'

const consumerScript = new URL('../fixtures/crash-consumer.ts', import.meta.url).pathname

function startConsumer(dbPath: string, logPath: string) {
  return spawn(process.execPath, ['--import', 'tsx', consumerScript, dbPath, logPath], {
    stdio: 'inherit',
  })
}

function handled(logPath: string): Set<number> {
  if (!existsSync(logPath)) return new Set()
  return new Set(readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map(Number))
}

test('crash - a consumer killed with SIGKILL loses no record and never checkpoints past one', async () => {
  const dir = tempDir()
  const dbPath = join(dir, 'eddy.db')
  const logPath = join(dir, 'handled.log')
  const producer = await open(
    {
      store: { path: dbPath },
      tables: [
        { name: 'events', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 4 } },
      ],
    },
    { logger: createLogger({ level: 'silent' }) },
  )
  const ids = Array.from({ length: 1200 }, (_, i) => ({ put: { id: `e${i}`, n: i } }))
  for (let i = 0; i < ids.length; i += 100)
    await producer.table('events').batchWrite(ids.slice(i, i + 100))
  const sequences = (
    await Promise.all([0, 1, 2, 3].map((s) => producer.store.readRecords('events', s, 0, 10_000)))
  )
    .flat()
    .map((r) => Number(r.sequenceNumber))
  await producer.close()

  // While the consumer runs, every checkpoint seen must cover only records already handled.
  const reader = new Database(dbPath, { readonly: true, fileMustExist: true })
  const checkpoints = reader.prepare<[], { shard: number; checkpoint: number }>(
    "SELECT shard, checkpoint FROM consumer_shards WHERE consumer = 'audit'",
  )
  const recordsOfShard = reader.prepare<[number], { sequence: number }>(
    "SELECT sequence FROM records WHERE stream = 'events' AND shard = ?",
  )
  const shardSequences = [0, 1, 2, 3].map((shard) =>
    recordsOfShard.all(shard).map((r) => r.sequence),
  )
  const checkNoCheckpointPassesUnhandled = () => {
    const rows = checkpoints.all()
    const done = handled(logPath)
    for (const { shard, checkpoint } of rows) {
      const skipped = (shardSequences[shard] ?? []).filter(
        (seq) => seq <= checkpoint && !done.has(seq),
      )
      assert.deepEqual(
        skipped,
        [],
        `checkpoint ${checkpoint} of shard ${shard} passed unhandled records`,
      )
    }
  }

  const first = startConsumer(dbPath, logPath)
  await waitFor(() => {
    checkNoCheckpointPassesUnhandled()
    return handled(logPath).size >= 300
  }, 60_000)
  first.kill('SIGKILL')
  await new Promise((resolve) => first.once('exit', resolve))
  checkNoCheckpointPassesUnhandled()
  const beforeRestart = handled(logPath).size
  assert.ok(beforeRestart < sequences.length, 'the kill came mid-run')

  const second = startConsumer(dbPath, logPath)
  const code = await new Promise((resolve) => second.once('exit', resolve))
  assert.equal(code, 0)
  checkNoCheckpointPassesUnhandled()
  reader.close()

  const done = handled(logPath)
  assert.deepEqual(
    sequences.filter((seq) => !done.has(seq)),
    [],
    'every record handled at least once',
  )
})
