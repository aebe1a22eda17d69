import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  open,
  parseDeadLetter,
  type ChangeRecord,
  type Eddy,
  type EddyConfig,
  type FailureMode,
} from '../../src/index.ts'
import { silent, tempDir, usersV1 } from './schemas-fixtures.ts'

const needsFullname = { fields: { fullname: 'string' as const } }
const contractMessage =
  /does not meet the contract of consumer "search-indexer": field "fullname" is missing, expected string \(record schema version 1\)/

/** One shard, so that records come in the order they were written. */
function config(
  dir: string,
  onFailure: FailureMode,
  seen: string[],
  fullnameRequired = true,
): EddyConfig {
  return {
    store: { path: join(dir, 'eddy.db') },
    tables: [
      { name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 1 } },
    ],
    schemas: [{ stream: 'users', compatibility: 'none', versions: [usersV1] }],
    consumers: [
      {
        name: 'search-indexer',
        stream: 'users',
        onFailure,
        retryBackoff: { initialMs: 5, maxMs: 20 },
        contract: fullnameRequired
          ? needsFullname
          : { fields: { fullname: { type: 'string', required: false } } },
        handleRecord: (record: ChangeRecord) => {
          seen.push(String(record.keys.id))
        },
      },
    ],
  }
}

async function writeUsers(eddy: Eddy): Promise<void> {
  const users = eddy.table('users')
  await users.put({ id: 'ada', fullname: 'Ada Lovelace' })
  await users.put({ id: 'alan', firstname: 'Alan', lastname: 'Turing' })
  await users.put({ id: 'grace', fullname: 'Grace Hopper' })
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('contracts - under log, a record without a needed field is skipped before the handler', async () => {
  const { dir, remove } = tempDir()
  const seen: string[] = []
  const eddy = await open(config(dir, 'log', seen), { logger: silent })
  try {
    await writeUsers(eddy)
    await eddy.start()
    await eddy.waitUntilCaughtUp()

    assert.deepEqual(seen, ['ada', 'grace'])
    const [shard] = (await eddy.status()).consumers
    assert.equal(shard?.errors, 1)
    assert.match(shard?.lastError ?? '', /^ContractError: /)
    assert.match(shard?.lastError ?? '', contractMessage)
  } finally {
    await eddy.close()
    remove()
  }
})

test('contracts - under retry, the shard stops at the record and never runs the handler on it', async () => {
  const { dir, remove } = tempDir()
  const seen: string[] = []
  const eddy = await open(config(dir, 'retry', seen), { logger: silent })
  try {
    await writeUsers(eddy)
    await eddy.start()
    await until(async () => ((await eddy.status()).consumers[0]?.errors ?? 0) >= 3)

    assert.deepEqual(seen, ['ada'])
    const [shard] = (await eddy.status()).consumers
    assert.equal(shard?.behind, 2)
    assert.match(shard?.lastError ?? '', contractMessage)
  } finally {
    await eddy.close()
    remove()
  }
})

test('contracts - under dead-letter, the letter keeps the error and reprocessing after a fix works', async () => {
  const { dir, remove } = tempDir()
  const seen: string[] = []
  const live = await open(config(dir, { deadLetter: 'users-dlq' }, seen), { logger: silent })
  await writeUsers(live)
  await live.start()
  await live.waitUntilCaughtUp()
  assert.deepEqual(seen, ['ada', 'grace'])

  const [message] = await live.queue('users-dlq').receive({ visibilityTimeoutSeconds: 0 })
  const parsed = parseDeadLetter(message?.body ?? '')
  assert.ok('deadLetter' in parsed)
  assert.equal(parsed.deadLetter.error.name, 'ContractError')
  assert.match(parsed.deadLetter.error.message, contractMessage)
  assert.equal(parsed.deadLetter.record.schemaVersion, 1)
  await live.close()

  // The fix: the indexer no longer needs fullname (it would use firstname and lastname).
  const fixedSeen: string[] = []
  const fixed = await open(config(dir, { deadLetter: 'users-dlq' }, fixedSeen, false), {
    logger: silent,
  })
  try {
    const summary = await fixed.reprocess('users-dlq')
    assert.equal(summary.reprocessed, 1)
    assert.equal(summary.left, 0)
    assert.deepEqual(fixedSeen, ['alan'])
  } finally {
    await fixed.close()
    remove()
  }
})

test('contracts - reprocessing without a fix fails again with the contract error', async () => {
  const { dir, remove } = tempDir()
  const seen: string[] = []
  const eddy = await open(config(dir, { deadLetter: 'users-dlq' }, seen), { logger: silent })
  try {
    await writeUsers(eddy)
    await eddy.start()
    await eddy.waitUntilCaughtUp()
    await eddy.stop()

    const summary = await eddy.reprocess('users-dlq')
    assert.equal(summary.failed, 1)
    assert.match(summary.messages[0]?.error ?? '', contractMessage)
  } finally {
    await eddy.close()
    remove()
  }
})

test('contracts - a record that has a needed field of another type names both types', async () => {
  const { dir, remove } = tempDir()
  const seen: string[] = []
  const eddy = await open(config(dir, 'log', seen), { logger: silent })
  try {
    await eddy.table('users').put({ id: 'x', fullname: 42 })
    await eddy.start()
    await eddy.waitUntilCaughtUp()
    const [shard] = (await eddy.status()).consumers
    assert.match(
      shard?.lastError ?? '',
      /field "fullname" is a number, expected string \(record schema version 1\)/,
    )
    assert.deepEqual(seen, [])
  } finally {
    await eddy.close()
    remove()
  }
})

test('contracts - a contract that is not valid is refused at open with its config path', async () => {
  const { dir, remove } = tempDir()
  const bad = config(dir, 'log', [])
  const consumer = bad.consumers?.[0]
  assert.ok(consumer)
  consumer.contract = { fields: { 'info..rating': 'number' } }
  await assert.rejects(open(bad, { logger: silent }), /Config consumers\[0\]\.contract\.fields/)
  consumer.contract = { fields: { fullname: 'text' as 'string' } }
  await assert.rejects(
    open(bad, { logger: silent }),
    /Config consumers\[0\]\.contract\.fields\.fullname/,
  )
  remove()
})
