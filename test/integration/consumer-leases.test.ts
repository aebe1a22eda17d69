import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LeaseLostError } from '../../src/errors.ts'
import { openStore, type ConsumerShardProgress, type LeaseGrant } from '../../src/store/index.ts'
import { openFixture, putUsers, tempDir, until } from './consumer-helpers.ts'

function progress(lease: LeaseGrant, checkpoint: number): ConsumerShardProgress {
  return {
    consumer: 'c',
    stream: 'users',
    shard: 0,
    checkpoint,
    delivered: 1,
    failed: 0,
    deadLettered: 0,
    filteredOut: 0,
    discarded: 0,
    iteratorAgeMs: 0,
    lastError: null,
    state: 'running',
    blockedSinceMs: null,
    blockingSequence: null,
    blockingCreatedAtMs: null,
    blockingExpiresAtMs: null,
    attempt: 0,
    lease,
  }
}

test('consumer leases - a process that lost its lease cannot move the checkpoint', async () => {
  using dir = tempDir()
  const store = await openStore({ path: join(dir.path, 'eddy.db') })
  await store.write(async (tx) => {
    await tx.ensureStream({
      name: 'users',
      table: null,
      viewType: 'KEYS_ONLY',
      shardCount: 1,
      retentionMs: 3_600_000,
    })
    await tx.ensureConsumer('c', 'users', [0])
  })
  const a = await store.write((tx) => tx.acquireLease({ consumer: 'c', shard: 0, owner: 'A' }, 50))
  const early = await store.write((tx) =>
    tx.acquireLease({ consumer: 'c', shard: 0, owner: 'B' }, 50),
  )
  assert.ok(a)
  assert.equal(early, null)

  await new Promise((resolve) => setTimeout(resolve, 60))
  const b = await store.write((tx) =>
    tx.acquireLease({ consumer: 'c', shard: 0, owner: 'B' }, 5_000),
  )
  assert.equal(b?.token, a.token + 1)
  await assert.rejects(
    store.write((tx) => tx.saveProgress(progress(a, 5))),
    LeaseLostError,
  )
  assert.equal(await store.write((tx) => tx.renewLease(a, 5_000)), false)
  await store.write((tx) => tx.saveProgress(progress(b as LeaseGrant, 7)))
  assert.equal((await store.getConsumerShard('c', 0))?.checkpoint, 7)
  await store.close()
})

test('consumer leases - two processes share the shards and one takes over after a SIGKILL', async () => {
  using dir = tempDir()
  const path = join(dir.path, 'eddy.db')
  const log = join(dir.path, 'handled.log')
  writeFileSync(log, '')
  const setup = await openFixture(dir.path, [], { path, shards: 4 })
  await putUsers(setup, 400)
  const status = async () => (await setup.status()).consumers

  const children = [spawnWorker(path, log), spawnWorker(path, log)]
  try {
    await Promise.all(children.map(ready))
    await until(async () => new Set((await status()).map((c) => c.leaseOwner)).size === 2, 10_000)
    await until(() => pidsIn(log).size === 2, 10_000)
    assert.ok(
      (await status()).some((c) => c.behind > 0),
      'the kill should land mid-way',
    )

    children[0]?.kill('SIGKILL')
    await until(async () => (await status()).every((c) => c.behind === 0), 20_000)
  } finally {
    for (const child of children) child.kill('SIGKILL')
  }

  const handled = new Set(
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[1]),
  )
  const records = (
    await Promise.all(
      [0, 1, 2, 3].map((shard) => setup.store.readRecords('users', shard, 0, 1_000)),
    )
  ).flat()
  assert.equal(records.length, 400)
  for (const record of records)
    assert.ok(handled.has(record.sequenceNumber), `${record.sequenceNumber} lost`)
  const pids = new Set(
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]),
  )
  assert.equal(pids.size, 2)
  await setup.close()
})

function pidsIn(log: string): Set<string> {
  const lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean)
  return new Set(lines.map((line) => line.split(' ')[0] as string))
}

function spawnWorker(path: string, log: string): ChildProcess {
  const script = join(import.meta.dirname, 'fixtures', 'lease-worker.ts')
  return spawn(process.execPath, ['--import', 'tsx', script, path, log], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve()
    })
    child.once('exit', (code) =>
      reject(new Error(`worker exited with ${code} before it was ready`)),
    )
  })
}
