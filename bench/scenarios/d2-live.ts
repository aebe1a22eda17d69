/**
 * D2: the I1 load (50 concurrent callers putting) while one consumer keeps up; the rate is
 * records put and handled per second, until the consumer has seen the last put. The reference
 * is a bare put+consume loop in the same run: group commit of 50 callers (FULL), and on a second
 * connection reads after a position, 100 rows a time, with a checkpoint write (FULL) per batch.
 * Nothing may be lost, and each key's records must arrive in the order they were put.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { bareGroupCommit, concurrentRate, durationMs } from '../raw.ts'
import type { Scenario } from '../types.ts'
import { openBench, round } from './consumer-kit.ts'

const callers = 50

/** What the handler saw: records per caller key, and any key seen out of order. */
interface Seen {
  handled: number
  lastByKey: Map<string, number>
  outOfOrder: number
}

function see(seen: Seen, key: string, n: number): void {
  seen.handled++
  if ((seen.lastByKey.get(key) ?? -1) >= n) seen.outOfOrder++
  seen.lastByKey.set(key, n)
}

async function untilDone(done: () => boolean, deadlineMs: number): Promise<void> {
  while (!done() && performance.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** Eddy: 50 callers put, each on its own key with a growing counter, while one consumer reads. */
async function eddyLive(dir: string, ms: number): Promise<{ rate: number; check: string }> {
  const seen: Seen = { handled: 0, lastByKey: new Map(), outOfOrder: 0 }
  const eddy = await openBench(dir, [
    {
      name: 'd2',
      stream: 'items',
      handleRecord: (record) =>
        see(seen, record.newImage?.id as string, record.newImage?.n as number),
    },
  ])
  await eddy.start()
  const items = eddy.table('items')
  const counters = new Array<number>(callers).fill(0)
  let next = 0
  const startedMs = performance.now()
  const put = () => {
    const caller = next++ % callers
    const n = counters[caller] ?? 0
    counters[caller] = n + 1
    return items.put({ id: `caller-${caller}`, n, text: 'x'.repeat(150) })
  }
  await concurrentRate(ms, callers, put)
  const puts = counters.reduce((sum, n) => sum + n, 0)
  await untilDone(() => seen.handled >= puts, performance.now() + 30_000)
  const seconds = (performance.now() - startedMs) / 1000
  await eddy.close()

  const lost = puts - seen.handled
  return { rate: seen.handled / seconds, check: `${lost} lost, ${seen.outOfOrder} out of order` }
}

/** The bare loop: group-committed puts, and a reader that checkpoints every batch it reads. */
async function rawLive(dir: string, ms: number): Promise<number> {
  const path = join(dir, 'raw-live.db')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`
    CREATE TABLE items (pk TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID;
    CREATE TABLE records (seq INTEGER PRIMARY KEY AUTOINCREMENT, shard INTEGER, body TEXT);
    CREATE TABLE checkpoints (name TEXT PRIMARY KEY, seq INTEGER);
    INSERT INTO checkpoints VALUES ('raw', 0);
  `)
  const upsert = db.prepare('INSERT OR REPLACE INTO items VALUES (?, ?)')
  const append = db.prepare('INSERT INTO records (shard, body) VALUES (0, ?)')
  let n = 0
  const body = `{"id":"caller-0","n":0,"text":"${'x'.repeat(150)}"}`
  const put = bareGroupCommit(db, () => {
    upsert.run(`caller-${n++ % callers}`, body)
    append.run(body)
  })

  const reader = new Database(path)
  const read = reader.prepare<[number], { seq: number; body: string }>(
    'SELECT * FROM records WHERE shard = 0 AND seq > ? ORDER BY seq LIMIT 100',
  )
  const saveCheckpoint = db.prepare("UPDATE checkpoints SET seq = ? WHERE name = 'raw'")
  let consumed = 0
  let after = 0
  let putting = true
  const consume = async () => {
    while (putting || consumed < n) {
      const rows = read.all(after)
      for (const row of rows) JSON.parse(row.body)
      if (rows.length > 0) {
        after = (rows.at(-1) as { seq: number }).seq
        consumed += rows.length
        saveCheckpoint.run(after)
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  const startedMs = performance.now()
  const consuming = consume()
  await concurrentRate(ms, callers, put)
  putting = false
  await consuming
  const seconds = (performance.now() - startedMs) / 1000
  reader.close()
  db.close()
  return consumed / seconds
}

export const d2Live: Scenario = async (context) => {
  const ms = durationMs(context) * 2
  const reference = await rawLive(context.tmpDir, ms)
  const { rate, check } = await eddyLive(context.tmpDir, ms)
  return [
    {
      id: 'D2',
      name: 'live: 50 callers put while one consumer keeps up',
      value: round(rate),
      unit: 'records/s',
      reference: round(reference),
      referenceName: 'bare group-commit puts + read/checkpoint loop',
      ratio: round(rate / reference),
      goal: 0.5,
      goalKind: 'ratio',
      note: check,
    },
  ]
}
