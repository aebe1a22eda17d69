import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { allRecords, openTemp, tempDir } from './helpers.ts'

const child = fileURLToPath(new URL('./fixtures/durable-writer.ts', import.meta.url))
const config = {
  tables: [
    { name: 'items', partitionKey: { name: 'id', type: 'string' as const }, stream: { shards: 4 } },
  ],
}

/** Runs the writer until it has acknowledged `count` writes, then kills it with SIGKILL. */
async function killUnderLoad(path: string, count: number): Promise<Map<string, string>> {
  const writer = spawn(process.execPath, ['--import', 'tsx', child, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const acknowledged = new Map<string, string>()
  let buffer = ''

  await new Promise<void>((resolve, reject) => {
    writer.on('error', reject)
    writer.on('exit', () => resolve())
    writer.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        const [id, sequence] = line.split(' ')
        if (id && sequence) acknowledged.set(id, sequence)
      }
      if (acknowledged.size >= count && writer.exitCode === null) writer.kill('SIGKILL')
    })
  })
  return acknowledged
}

test('durability - SIGKILL under load loses no acknowledged write or change record', async (t) => {
  const path = join(tempDir(t), 'eddy.db')
  const acknowledged = await killUnderLoad(path, 3_000)
  assert.ok(acknowledged.size >= 3_000)

  const eddy = await openTemp(t, config, path)
  const records = await allRecords(eddy, 'items')
  const recordById = new Map(records.map((r) => [r.keys.id as string, r]))
  const items = new Set<string>()
  for (let page = await eddy.table('items').scan(); ;) {
    for (const item of page.items) items.add(item.id as string)
    if (!page.lastEvaluatedKey) break
    page = await eddy.table('items').scan({ exclusiveStartKey: page.lastEvaluatedKey })
  }

  // Every acknowledged write is there, with its record at the sequence number it was told.
  for (const [id, sequence] of acknowledged) {
    assert.ok(items.has(id), `item ${id} was acknowledged but is missing`)
    assert.equal(recordById.get(id)?.sequenceNumber, sequence)
  }
  // Item and record commit together: no item without its record, no record without its item.
  assert.equal(records.length, items.size)
  for (const id of items) assert.ok(recordById.has(id), `item ${id} has no change record`)
  // Sequence numbers never repeat and rise within each shard.
  assert.equal(new Set(records.map((r) => r.sequenceNumber)).size, records.length)
  for (const shard of new Set(records.map((r) => r.shard))) {
    const sequences = records.filter((r) => r.shard === shard).map((r) => r.sequenceNumber)
    assert.deepEqual(sequences, [...sequences].sort())
  }

  // A write after the restart continues above every sequence number seen before.
  const after = await eddy.table('items').put({ id: 'after-restart' })
  const highest = records
    .map((r) => r.sequenceNumber)
    .sort()
    .at(-1) as string
  assert.ok((after.sequenceNumber as string) > highest)
})
