import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import type { AlarmStateRow } from '../../store/index.ts'
import { createLogger } from '../logger.ts'
import type { StatusReport } from '../status.ts'
import {
  AlarmMonitor,
  evaluate,
  resolveAlarm,
  sampleMetric,
  type AlarmDefinition,
} from './index.ts'

const silent = createLogger({ level: 'silent' })

/** A status with one consumer shard whose iterator age is `ageMs` (null: idle). */
function statusWith(ageMs: number | null, errors = 0): StatusReport {
  const shard = {
    consumer: 'indexer',
    stream: 'users',
    shard: 'shard-0000',
    checkpoint: null,
    behind: ageMs === null ? 0 : 5,
    iteratorAgeMs: ageMs,
    delivered: 0,
    errors,
    deadLettered: 0,
    filteredOut: 0,
    expired: 0,
    discarded: 0,
    lastError: null,
    state: ageMs === null ? ('idle' as const) : ('running' as const),
    blockedSince: null,
    blockingSequenceNumber: null,
    attempt: null,
    expiresInMs: null,
    leaseOwner: 'p1',
  }
  return { store: 'memory', streams: [], consumers: [shard], queues: [], alarms: [] }
}

/** Starts a webhook receiver on 127.0.0.1, port 0, that keeps the bodies it is posted. */
async function webhookReceiver() {
  const bodies: { text: string; blocks?: unknown[] }[] = []
  const server = createServer((request, response) => {
    let data = ''
    request.on('data', (chunk: Buffer) => (data += chunk.toString()))
    request.on('end', () => {
      bodies.push(JSON.parse(data))
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => server.close() }
}

function monitorOf(definition: AlarmDefinition, statuses: StatusReport[]) {
  let nowMs = 1_000_000
  const rows: AlarmStateRow[] = []
  let next = statusWith(null)
  const monitor = new AlarmMonitor({
    alarms: [resolveAlarm(definition)],
    readStatus: async () => statuses.shift() ?? next,
    states: { list: async () => [], save: async (row) => void rows.push(row) },
    log: silent,
    clock: () => nowMs,
  })
  return {
    monitor,
    rows,
    /** Moves the clock one period on, sets the next status, and ticks. */
    async period(status: StatusReport) {
      next = status
      nowMs += (definition.periodSeconds ?? 60) * 1000
      return monitor.tick()
    },
  }
}

test('alarms - iterator age goes INSUFFICIENT_DATA, ALARM on 2 of 3, OK, and back when idle', async () => {
  const hook = await webhookReceiver()
  try {
    const definition: AlarmDefinition = {
      name: 'indexer-lag',
      metric: 'iteratorAgeMs',
      consumer: 'indexer',
      threshold: 60_000,
      periodSeconds: 10,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      webhookUrl: hook.url,
    }
    const { monitor, period, rows } = monitorOf(definition, [])
    await monitor.prime()

    assert.deepEqual(await monitor.tick(), [], 'nothing is due before the first period ends')
    assert.equal((await period(statusWith(70_000)))[0]?.to, 'OK', 'one breach of two needed')
    assert.deepEqual(await period(statusWith(1_000)), [])
    const alarm = await period(statusWith(90_000))
    assert.deepEqual(
      alarm.map((t) => [t.from, t.to]),
      [['OK', 'ALARM']],
    )
    assert.match(alarm[0]?.reason ?? '', /2 of the last 3 datapoints/)
    assert.equal((await period(statusWith(1_000)))[0]?.to, 'OK', 'one breach of the last 3')
    assert.deepEqual(await period(statusWith(2_000)), [])

    // Idle: iterator age is absent; after three missing periods the alarm has no data.
    await period(statusWith(null))
    await period(statusWith(null))
    assert.equal((await period(statusWith(null)))[0]?.to, 'INSUFFICIENT_DATA')
    assert.equal(rows.at(-1)?.state, 'INSUFFICIENT_DATA')

    assert.equal(hook.bodies.length, 4, 'each transition is posted once')
    assert.match(hook.bodies[1]?.text ?? '', /"indexer-lag" is ALARM \(was OK\)/)
    assert.ok(Array.isArray(hook.bodies[1]?.blocks))
  } finally {
    hook.close()
  }
})

test('alarms - errors count per period, and missing data treated as not breaching is OK', async () => {
  const definition: AlarmDefinition = {
    name: 'indexer-errors',
    metric: 'errors',
    threshold: 1,
    periodSeconds: 60,
    treatMissingData: 'notBreaching',
  }
  const { monitor, period } = monitorOf(definition, [statusWith(null, 4)])
  await monitor.prime()
  assert.equal((await period(statusWith(null, 4)))[0]?.to, 'OK', 'no new errors in the period')
  assert.equal((await period(statusWith(null, 6)))[0]?.to, 'ALARM', 'two new errors')
  assert.equal((await period(statusWith(null, 6)))[0]?.to, 'OK')
})

test('alarms - evaluate keeps the state when every datapoint is missing under ignore', () => {
  const alarm = resolveAlarm({
    name: 'a',
    metric: 'iteratorAgeMs',
    threshold: 1,
    evaluationPeriods: 2,
    treatMissingData: 'ignore',
  })
  assert.equal(evaluate(alarm, [null, null], 'ALARM').state, 'ALARM')
  assert.equal(
    evaluate({ ...alarm, treatMissingData: 'breaching' }, [null, null], 'OK').state,
    'ALARM',
  )
  assert.equal(
    evaluate({ ...alarm, treatMissingData: 'missing' }, [null, null], 'OK').state,
    'INSUFFICIENT_DATA',
  )
})

test('alarms - a webhook that fails is logged, and the transition still happens', async () => {
  const definition: AlarmDefinition = {
    name: 'q',
    metric: 'iteratorAgeMs',
    threshold: 1,
    webhookUrl: 'http://127.0.0.1:1/unreachable',
  }
  const { monitor, period } = monitorOf(definition, [])
  await monitor.prime()
  assert.equal((await period(statusWith(5)))[0]?.to, 'ALARM')
})

test('alarms - records expiring on a blocked shard and queue metrics are sampled', () => {
  const blocked = statusWith(5_000)
  const [shard] = blocked.consumers
  if (!shard) throw new Error('no shard')
  const expiring = resolveAlarm({ name: 'e', metric: 'recordsExpireInMs', threshold: 3_600_000 })
  assert.equal(expiring.comparison, '<', 'an expiry alarm fires below its threshold')
  assert.equal(sampleMetric(expiring, blocked), null, 'absent while no shard is blocked')

  blocked.consumers = [{ ...shard, state: 'retrying', expiresInMs: 1_800_000 }]
  assert.equal(sampleMetric(expiring, blocked), 1_800_000)
  assert.equal(evaluate(expiring, [1_800_000], 'OK').state, 'ALARM')

  const queue = { queue: 'dlq', depth: 3, visible: 3, inFlight: 0, delayed: 0 }
  blocked.queues = [{ ...queue, oldestMessageAgeMs: 42 }]
  const depth = resolveAlarm({ name: 'd', metric: 'queueDepth', queue: 'dlq', threshold: 1 })
  const age = resolveAlarm({
    name: 'a',
    metric: 'queueOldestMessageAgeMs',
    queue: 'dlq',
    threshold: 1,
  })
  assert.deepEqual([sampleMetric(depth, blocked), sampleMetric(age, blocked)], [3, 42])
})
