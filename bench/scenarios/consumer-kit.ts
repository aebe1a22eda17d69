/**
 * What the consumer scenarios share: an Eddy on a fresh file, a backlog filled in big
 * transactions, a drain timer, the raw references, and percentiles.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { ConsumerDefinition } from '../../src/consumers/index.ts'
import { createLogger } from '../../src/observe/logger.ts'
import { open, type Eddy } from '../../src/open.ts'
import { roundsOf } from '../eddy.ts'
import type { ScenarioContext } from '../types.ts'

export async function openBench(
  dir: string,
  consumers: ConsumerDefinition[],
  queues: string[] = [],
): Promise<Eddy> {
  return open(
    {
      store: { path: join(dir, 'eddy.db') },
      tables: [
        { name: 'items', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 1 } },
      ],
      consumers,
      queues: queues.map((name) => ({ name })),
    },
    { logger: createLogger({ level: 'silent' }) },
  )
}

/** Writes `count` ~200 B items, 1,000 per transaction. */
export async function fillBacklog(eddy: Eddy, count: number): Promise<void> {
  const table = eddy.table('items')
  for (let start = 0; start < count; start += 1_000) {
    const size = Math.min(1_000, count - start)
    await table.batchWrite(Array.from({ length: size }, (_, i) => ({ put: itemOf(start + i) })))
  }
}

export function itemOf(index: number): Record<string, unknown> {
  return { id: `item-${index}`, n: index, text: 'x'.repeat(150) }
}

/** Starts the consumers and resolves with the seconds until `done()` holds. */
export async function timeDrain(eddy: Eddy, done: () => boolean): Promise<number> {
  const startedMs = performance.now()
  await eddy.start()
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2))
  const seconds = (performance.now() - startedMs) / 1000
  await eddy.stop()
  return seconds
}

/** Raw reference: read a shard after a position, 1,000 rows at a time, on the same file. */
export function rawReadRate(dir: string): number {
  const db = new Database(join(dir, 'eddy.db'), { readonly: true })
  const read = db.prepare(
    'SELECT * FROM records WHERE stream = ? AND shard = ? AND sequence > ? ORDER BY sequence LIMIT 1000',
  )
  let after = 0
  let rows = 0
  const startedMs = performance.now()
  for (;;) {
    const batch = read.all('items', 0, after) as { sequence: number }[]
    if (batch.length === 0) break
    rows += batch.length
    after = batch.at(-1)?.sequence ?? after
  }
  const seconds = (performance.now() - startedMs) / 1000
  db.close()
  return rows / seconds
}

/** Raw reference: one row per transaction, WAL, synchronous=FULL. */
export function rawOneRowPerTransaction(dir: string, count: number): number {
  const db = new Database(join(dir, 'raw.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
  const body = 'x'.repeat(200)
  const startedMs = performance.now()
  for (let i = 0; i < count; i++) insert.run(body)
  const seconds = (performance.now() - startedMs) / 1000
  db.close()
  return count / seconds
}

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN
}

export function round(value: number): number {
  return Math.round(value * 100) / 100
}

/**
 * Runs `round` (Eddy, then its reference, on a fresh folder) `roundsOf(context)` times and keeps
 * the medians: on a shared machine a burst of disk or CPU load then slows one round, not the
 * result, where one reference measured once could land in a burst that Eddy missed.
 */
export async function medianRounds(
  context: ScenarioContext,
  round: (dir: string) => Promise<{ value: number; reference: number }>,
): Promise<{ value: number; reference: number; ratio: number }> {
  const rounds: { value: number; reference: number }[] = []
  for (let i = 0; i < roundsOf(context); i++) {
    const dir = join(context.tmpDir, `round-${i}`)
    mkdirSync(dir, { recursive: true })
    rounds.push(await round(dir))
  }
  const median = (values: number[]) => percentile(values, 0.5)
  return {
    value: median(rounds.map((r) => r.value)),
    reference: median(rounds.map((r) => r.reference)),
    ratio: median(rounds.map((r) => r.value / r.reference)),
  }
}
