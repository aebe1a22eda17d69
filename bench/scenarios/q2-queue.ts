/**
 * Q2: queue send, and receive 10 + delete batch, against a bare better-sqlite3 loop of the same
 * shape measured in the same run, and against BullMQ on Redis at 127.0.0.1:6379 when it answers.
 *
 * Shapes: send is `sendersCount` concurrent callers sending one ~200 B message each, repeatedly,
 * raw and Eddy alike: both commit every send of one event-loop turn in one transaction (the raw
 * side through the bare group-commit loop of the I1 reference, without savepoints), and both store
 * the same columns (the raw side computes the body's MD5 once, as its body never changes). The
 * raw table keeps only the indexes a queue cannot do without (message id, visibility, receipt);
 * Eddy's two more (by age for retention, by sequence for peeks) are part of what it pays. Drain
 * is one loop of receive 10 then delete those 10 (two transactions per 10 messages, raw and Eddy
 * alike). Durability is FULL for both.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createLogger, open, type Eddy } from '../../src/index.ts'
import { percentile, roundsOf, type Paired } from '../eddy.ts'
import { bareGroupCommit } from '../raw.ts'
import type { Scenario, ScenarioContext, ScenarioResult } from '../types.ts'

const body = JSON.stringify({ orderId: 'o-0000000000', customer: 'c-0000', total: 1234.5 }).padEnd(
  200,
  ' ',
)
const sendersCount = 50

/** Messages a second, from a count and a start time. */
const rate = (count: number, startMs: number) =>
  Math.round(count / ((performance.now() - startMs) / 1000))

export const q2Queue: Scenario = async (context) => {
  // Per round; 2,000 sends were only 40 commits, too few to measure on a noisy machine.
  const count = context.quick ? 5_000 : 20_000
  // Raw and Eddy alternate, each round on fresh files, so that noise hits both sides alike.
  const rounds: { raw: Rates; eddy: Rates }[] = []
  for (let round = 0; round < roundsOf(context); round++) {
    const raw = await rawQueue(join(context.tmpDir, `q2-raw-${round}.db`), count)
    rounds.push({ raw, eddy: await eddyQueue(context, count, round) })
  }
  const send = medians(rounds, 'send')
  const drain = medians(rounds, 'drain')
  const results: ScenarioResult[] = [
    reference('raw:q2-send', 'bare group commit insert, 50 senders', send.reference),
    reference('raw:q2-drain', 'bare select 10 + hide, delete 10', drain.reference),
    versus('Q2', 'queue send, 50 concurrent senders', send, 0.8),
    versus('Q2', 'queue receive 10 + delete batch', drain, 0.5),
  ]
  results.push(...(await bullmqPeer(count, { send: send.value, drain: drain.value })))
  return results
}

/** Messages a second, sending and draining. */
interface Rates {
  send: number
  drain: number
}

/** Medians over the rounds of Eddy's rate, the raw rate, and their ratio per round. */
function medians(rounds: { raw: Rates; eddy: Rates }[], kind: keyof Rates): Paired {
  const median = (values: number[]) => percentile(values, 50)
  return {
    value: median(rounds.map((r) => r.eddy[kind])),
    reference: median(rounds.map((r) => r.raw[kind])),
    ratio: median(rounds.map((r) => r.eddy[kind] / r.raw[kind])),
  }
}

function reference(id: string, name: string, value: number): ScenarioResult {
  return {
    id,
    name,
    value,
    unit: 'msgs/s',
    reference: null,
    referenceName: null,
    ratio: null,
    goal: null,
    goalKind: null,
  }
}

function versus(id: string, name: string, measured: Paired, goal: number): ScenarioResult {
  const { value, reference: raw } = measured
  const ratio = Math.round(measured.ratio * 100) / 100
  return {
    id,
    name,
    value,
    unit: 'msgs/s',
    reference: raw,
    referenceName: 'raw',
    ratio,
    goal,
    goalKind: 'ratio',
  }
}

/** The raw limit: the same rows and statements as Eddy's queue, with nothing around them. */
async function rawQueue(path: string, count: number): Promise<Rates> {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`CREATE TABLE messages (sequence INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, sent_at_ms INTEGER NOT NULL,
    visible_at_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0, receipt_handle TEXT,
    md5_of_body TEXT);
    CREATE INDEX by_visibility ON messages (queue, visible_at_ms, sequence);
    CREATE UNIQUE INDEX by_receipt ON messages (receipt_handle);`)
  const insert = db.prepare(
    `INSERT INTO messages (queue, message_id, body, md5_of_body, sent_at_ms, visible_at_ms)
     VALUES (?, ?, ?, ?, ?, ?)`,
  )
  const select = db.prepare<[number], { sequence: number }>(
    `SELECT sequence FROM messages WHERE queue = 'q' AND visible_at_ms <= ? ORDER BY visible_at_ms, sequence LIMIT 10`,
  )
  const hide = db.prepare(
    'UPDATE messages SET visible_at_ms = ?, receive_count = receive_count + 1, receipt_handle = ? WHERE sequence = ?',
  )
  const remove = db.prepare('DELETE FROM messages WHERE receipt_handle = ?')

  const md5OfBody = createHash('md5').update(body, 'utf8').digest('hex')
  const send1 = bareGroupCommit(db, () =>
    insert.run('q', crypto.randomUUID(), body, md5OfBody, Date.now(), Date.now()),
  )
  let sendStart = performance.now()
  const sender = async () => {
    for (let i = 0; i < count / sendersCount; i++) await send1()
  }
  await Promise.all(Array.from({ length: sendersCount }, sender))
  const send = rate(count, sendStart)

  sendStart = performance.now()
  for (let drained = 0; drained < count;) {
    const handles = db.transaction(() =>
      select.all(Date.now()).map((row) => {
        const handle = crypto.randomUUID()
        hide.run(Date.now() + 30_000, handle, row.sequence)
        return handle
      }),
    )()
    db.transaction(() => handles.forEach((handle) => remove.run(handle)))()
    drained += handles.length
  }
  const drain = rate(count, sendStart)
  db.close()
  return { send, drain }
}

async function eddyQueue(context: ScenarioContext, count: number, round: number): Promise<Rates> {
  const eddy: Eddy = await open(
    { store: { path: join(context.tmpDir, `q2-eddy-${round}.db`) }, queues: [{ name: 'q' }] },
    { logger: createLogger({ level: 'silent' }) },
  )
  try {
    const queue = eddy.queue('q')
    let startMs = performance.now()
    const sender = async () => {
      for (let i = 0; i < count / sendersCount; i++) await queue.send(body)
    }
    await Promise.all(Array.from({ length: sendersCount }, sender))
    const send = rate(count, startMs)

    startMs = performance.now()
    for (let drained = 0; drained < count;) {
      const messages = await queue.receive({ maxMessages: 10 })
      if (messages.length === 0) break
      await queue.deleteBatch(
        messages.map((m, i) => ({ id: `m${i}`, receiptHandle: m.receiptHandle })),
      )
      drained += messages.length
    }
    return { send, drain: rate(count, startMs) }
  } finally {
    await eddy.close()
  }
}

/** BullMQ in the same shapes: 50 concurrent `add`s, then one worker taking 10 at a time. */
async function bullmqPeer(
  count: number,
  eddy: { send: number; drain: number },
): Promise<ScenarioResult[]> {
  const connection = {
    host: '127.0.0.1',
    port: 6379,
    maxRetriesPerRequest: null,
    connectTimeout: 500,
  }
  if (!(await redisAnswers())) {
    return [
      {
        ...reference('peer:bullmq-q2', 'BullMQ (skipped)', 0),
        note: 'no Redis on 127.0.0.1:6379; BullMQ not measured',
      },
    ]
  }
  const { Queue, Worker } = await import('bullmq')
  const prefix = `eddy-bench-q2-${process.pid}`
  const queue = new Queue('q2', { connection, prefix })
  try {
    let startMs = performance.now()
    const adder = async () => {
      for (let i = 0; i < count / sendersCount; i++)
        await queue.add('m', { body }, { removeOnComplete: true })
    }
    await Promise.all(Array.from({ length: sendersCount }, adder))
    const send = rate(count, startMs)

    startMs = performance.now()
    let done = 0
    const finished = new Promise<void>((resolve) => {
      const worker = new Worker('q2', async () => {}, { connection, prefix, concurrency: 10 })
      worker.on('completed', () => {
        if (++done === count) void worker.close().then(resolve)
      })
    })
    await finished
    const drain = rate(count, startMs)
    const note = (eddyValue: number, peer: number) =>
      `Eddy ÷ BullMQ = ${(eddyValue / peer).toFixed(2)}`
    return [
      {
        ...reference('peer:bullmq-q2-send', 'BullMQ add, 50 concurrent callers', send),
        note: note(eddy.send, send),
      },
      {
        ...reference('peer:bullmq-q2-drain', 'BullMQ worker, concurrency 10', drain),
        note: note(eddy.drain, drain),
      },
    ]
  } finally {
    await queue.obliterate({ force: true })
    await queue.close()
  }
}

/** True when something answers PING on 127.0.0.1:6379 within half a second. */
async function redisAnswers(): Promise<boolean> {
  const { Redis } = await import('ioredis')
  const redis = new Redis({
    host: '127.0.0.1',
    port: 6379,
    lazyConnect: true,
    connectTimeout: 500,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  })
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}
