import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { GroupCommitWriter } from './writer.ts'

/** A transaction object that writes rows of (key, part). */
interface Tx {
  add(key: string, part: number): Promise<void>
  /** Ends the transaction, as SQLite does itself on a full disk or an I/O error. */
  abort(): void
}

function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-writer-'))
  const db = new Database(join(dir, 'w.db'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE rows (key TEXT NOT NULL, part INTEGER NOT NULL)')
  t.after(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const insert = db.prepare('INSERT INTO rows (key, part) VALUES (?, ?)')
  const counts = { transactions: 0, commits: 0 }
  const writer = new GroupCommitWriter<Tx>(
    db,
    () => {
      counts.transactions++
      return {
        add: async (key, part) => void insert.run(key, part),
        abort: () => db.exec('ROLLBACK'),
      }
    },
    () => counts.commits++,
  )
  const rows = () =>
    db.prepare<[], { key: string; part: number }>('SELECT key, part FROM rows ORDER BY rowid').all()
  return { writer, counts, rows }
}

/** Two rows, then a failure after them when `fail` is set: a write that fails half-way. */
function twoRows(key: string, fail = false) {
  return async (tx: Tx) => {
    await tx.add(key, 1)
    await tx.add(key, 2)
    if (fail) throw new Error(`${key} fails after writing`)
    return key
  }
}

for (const rerunnable of [false, true]) {
  test(`writer - a write failing half-way rolls back only itself (rerunnable: ${rerunnable})`, async (t) => {
    const { writer, counts, rows } = setup(t)

    const results = await Promise.allSettled([
      writer.write(twoRows('a'), { rerunnable }),
      writer.write(twoRows('b', true), { rerunnable }),
      writer.write(twoRows('c'), { rerunnable }),
    ])

    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.deepEqual(
      rows().map((r) => `${r.key}${r.part}`),
      ['a1', 'a2', 'c1', 'c2'],
    )
    assert.equal(counts.commits, 1)
  })
}

test('writer - rerunnable writes of one turn share one transaction when none fails', async (t) => {
  const { writer, counts, rows } = setup(t)

  const keys = await Promise.all(
    ['a', 'b', 'c'].map((key) => writer.write(twoRows(key), { rerunnable: true })),
  )

  assert.deepEqual(keys, ['a', 'b', 'c'])
  assert.equal(rows().length, 6)
  assert.deepEqual(counts, { transactions: 1, commits: 1 })
})

test('writer - a failing rerunnable write runs the turn again with savepoints', async (t) => {
  const { writer, counts } = setup(t)

  await Promise.allSettled([
    writer.write(twoRows('a'), { rerunnable: true }),
    writer.write(twoRows('b', true), { rerunnable: true }),
  ])

  assert.deepEqual(counts, { transactions: 2, commits: 1 })
})

test('writer - a lone failing write leaves nothing and commits nothing', async (t) => {
  const { writer, counts, rows } = setup(t)

  await assert.rejects(writer.write(twoRows('a', true)), /a fails after writing/)

  assert.deepEqual(rows(), [])
  assert.equal(counts.commits, 0)
  assert.equal(await writer.write(twoRows('b')), 'b')
  assert.equal(rows().length, 2)
})

test('writer - a write that ends the transaction fails every write of its turn', async (t) => {
  const { writer, rows } = setup(t)
  const aborting = async (tx: Tx) => {
    await tx.add('b', 1)
    tx.abort()
    throw new Error('disk full')
  }

  const results = await Promise.allSettled([
    writer.write(twoRows('a')),
    writer.write(aborting),
    writer.write(twoRows('c')),
  ])

  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
  )
  assert.deepEqual(rows(), [])
  assert.equal(await writer.write(twoRows('d')), 'd')
})
