/**
 * The raw references every Eddy scenario is compared to, measured in the same run: a 4 KB
 * append + fsync loop, bare better-sqlite3 inserts (WAL, synchronous=FULL), an item upsert plus
 * a change record per transaction and per 1,000, a bare group-commit loop with 50 callers, and
 * ordered reads after a position. `reference` measures each once per run, for the table of raw
 * references; the I scenarios measure theirs again, in alternation with Eddy (`paired`).
 */
import { randomUUID } from 'node:crypto'
import { closeSync, openSync, fsyncSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { ScenarioContext } from './types.ts'

/** A measured rate, and the unit it is in. */
export interface RawResult {
  id: string
  name: string
  value: number
  unit: string
}

const cache = new Map<string, Promise<RawResult>>()

/** Measures a reference once per run; later calls get the same result. */
export function reference(id: RawId, context: ScenarioContext): Promise<RawResult> {
  let result = cache.get(id)
  if (!result) cache.set(id, (result = measures[id](context)))
  return result
}

export type RawId = keyof typeof measures

export const measures = {
  'raw:fsync': (context: ScenarioContext) => measureFsync(context),
  'raw:insert': (context: ScenarioContext) => measureInsert(context),
  'raw:item-change': (context: ScenarioContext) => measureItemChange(context, 1),
  'raw:item-change-1000': (context: ScenarioContext) => measureItemChange(context, 1_000),
  'raw:group-commit': (context: ScenarioContext) => measureGroupCommit(context),
  'raw:read': (context: ScenarioContext) => measureRead(context),
}

/** How long each timed loop runs, in milliseconds. */
export function durationMs(context: ScenarioContext): number {
  return context.quick ? 400 : 2_000
}

/** Runs `step` (which does `perStep` operations) until the time is up; returns operations/s. */
export async function rate(ms: number, perStep: number, step: () => unknown): Promise<number> {
  const start = performance.now()
  let operations = 0
  while (performance.now() - start < ms) {
    await step()
    operations += perStep
  }
  return operations / ((performance.now() - start) / 1000)
}

function database(context: ScenarioContext, name: string): Database.Database {
  const db = new Database(join(context.tmpDir, `${name}.db`))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`
    CREATE TABLE IF NOT EXISTS items (t TEXT, pk TEXT, sk ANY, body TEXT, PRIMARY KEY (t, pk, sk)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT, shard INTEGER,
      event_id TEXT, event_name TEXT, created_at_ms INTEGER, size_bytes INTEGER, body TEXT);
    CREATE INDEX IF NOT EXISTS records_by_shard ON records (stream, shard, seq);
  `)
  return db
}

/**
 * The rows Eddy stores for a put of `benchItem(n)` (~200 B) to a table whose stream has the
 * default view type: the item under its JSON-quoted key, and a change record with a random event
 * id whose body holds the keys, the view type and the new image. Building them is string
 * concatenation only: the raw loop does no validation, no read of the old item, no async hops.
 */
function rowsOf(n: number): { key: string; item: string; eventId: string; record: string } {
  const id = `item-${n}`
  const item = `{"id":"${id}","payload":"${'p'.repeat(170)}","n":${n}}`
  const record = `{"keys":{"id":"${id}"},"streamViewType":"NEW_AND_OLD_IMAGES","newImage":${item}}`
  return { key: `"${id}"`, item, eventId: randomUUID(), record }
}

/** A body of the raw insert loop: the record body of one put, ~290 B. */
const body = rowsOf(0).record

async function measureFsync(context: ScenarioContext): Promise<RawResult> {
  const fd = openSync(join(context.tmpDir, 'fsync.bin'), 'a')
  const block = Buffer.alloc(4096, 1)
  const value = await rate(durationMs(context), 1, () => {
    writeSync(fd, block)
    fsyncSync(fd)
  })
  closeSync(fd)
  return { id: 'raw:fsync', name: '4 KB append + fsync', value, unit: 'ops/s' }
}

async function measureInsert(context: ScenarioContext): Promise<RawResult> {
  const db = database(context, 'raw-insert')
  const insert = db.prepare(
    'INSERT INTO records (stream, shard, event_id, event_name, created_at_ms, size_bytes, body) VALUES (?, 0, ?, ?, ?, ?, ?)',
  )
  const value = await rate(durationMs(context), 1, () =>
    insert.run('s', randomUUID(), 'INSERT', Date.now(), body.length, body),
  )
  db.close()
  return {
    id: 'raw:insert',
    name: 'better-sqlite3 insert, one per transaction, FULL',
    value,
    unit: 'rows/s',
  }
}

/** Prepares an item upsert plus change record, as Eddy's write does at its core. */
function itemChange(db: Database.Database): () => void {
  const upsert = db.prepare(
    'INSERT INTO items VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET body = excluded.body',
  )
  const insert = db.prepare(
    'INSERT INTO records (stream, shard, event_id, event_name, created_at_ms, size_bytes, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  let n = 0
  return () => {
    const rows = rowsOf(n++)
    upsert.run('items', rows.key, '', rows.item)
    insert.run('items', n % 4, rows.eventId, 'INSERT', Date.now(), rows.record.length, rows.record)
  }
}

async function measureItemChange(
  context: ScenarioContext,
  perTransaction: number,
): Promise<RawResult> {
  const db = database(context, `raw-item-change-${perTransaction}`)
  const write = itemChange(db)
  const batch = db.transaction(() => {
    for (let i = 0; i < perTransaction; i++) write()
  })
  const value = await rate(durationMs(context), perTransaction, () => batch.immediate())
  db.close()
  const id = perTransaction === 1 ? 'raw:item-change' : 'raw:item-change-1000'
  return {
    id,
    name: `item upsert + change record, ${perTransaction} per transaction, FULL`,
    value,
    unit: 'writes/s',
  }
}

/**
 * A bare group commit: each call of the returned function waits for the next turn of the event
 * loop, where every waiting call runs `write` once inside one transaction (no savepoints).
 */
export function bareGroupCommit(db: Database.Database, write: () => void): () => Promise<void> {
  let pending: (() => void)[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    const waiting = pending
    pending = []
    db.exec('BEGIN IMMEDIATE')
    for (let i = 0; i < waiting.length; i++) write()
    db.exec('COMMIT')
    for (const resolve of waiting) resolve()
  }
  return () =>
    new Promise<void>((resolve) => {
      pending.push(resolve)
      if (!scheduled) setImmediate(flush)
      scheduled = true
    })
}

/** 50 callers; each turn of the event loop commits every waiting write in one transaction. */
async function measureGroupCommit(context: ScenarioContext): Promise<RawResult> {
  const db = database(context, 'raw-group-commit')
  const put = bareGroupCommit(db, itemChange(db))
  const value = await concurrentRate(durationMs(context), 50, put)
  db.close()
  return {
    id: 'raw:group-commit',
    name: 'bare group commit, 50 callers, FULL',
    value,
    unit: 'writes/s',
  }
}

/** Runs `callers` loops of `operation` until the time is up; returns operations/s. */
export async function concurrentRate(
  ms: number,
  callers: number,
  operation: () => Promise<unknown>,
): Promise<number> {
  const start = performance.now()
  let operations = 0
  const caller = async () => {
    while (performance.now() - start < ms) {
      await operation()
      operations++
    }
  }
  await Promise.all(Array.from({ length: callers }, caller))
  return operations / ((performance.now() - start) / 1000)
}

async function measureRead(context: ScenarioContext): Promise<RawResult> {
  const db = database(context, 'raw-read')
  const count = context.quick ? 50_000 : 200_000
  const write = itemChange(db)
  db.transaction(() => {
    for (let i = 0; i < count; i++) write()
  }).immediate()

  const read = db.prepare<[string, number, number], { seq: number }>(
    'SELECT * FROM records WHERE stream = ? AND shard = ? AND seq > ? ORDER BY seq LIMIT 1000',
  )
  const start = performance.now()
  let rows = 0
  for (let shard = 0; shard < 4; shard++) {
    let after = 0
    for (
      let page = read.all('items', shard, after);
      page.length > 0;
      page = read.all('items', shard, after)
    ) {
      rows += page.length
      after = page.at(-1)?.seq as number
    }
  }
  const value = rows / ((performance.now() - start) / 1000)
  db.close()
  return { id: 'raw:read', name: 'read after a position, 1,000 per query', value, unit: 'rows/s' }
}
