/**
 * L1 and L2: latency from a put to its handler at a steady write rate, with the handler in the
 * process (L1) or in a worker thread (L2); the reference is a bare in-process hand-off.
 */
import { fileURLToPath } from 'node:url'
import type { ConsumerDefinition } from '../../src/consumers/index.ts'
import type { Scenario, ScenarioResult } from '../types.ts'
import { openBench, percentile, round } from './consumer-kit.ts'

const channelName = 'eddy-bench-latency'
const isolatedModule = fileURLToPath(new URL('./latency-handler.ts', import.meta.url))

/** Puts `count` items at `ratePerSecond`; returns each put-to-handler latency in ms. */
async function measure(
  dir: string,
  count: number,
  ratePerSecond: number,
  isolated: boolean,
): Promise<number[]> {
  const latencies: number[] = []
  const channel = new BroadcastChannel(channelName)
  channel.onmessage = (event: MessageEvent) => void latencies.push(event.data as number)
  const onRecord = (sentAtMs: number) =>
    void latencies.push(performance.timeOrigin + performance.now() - sentAtMs)
  const consumer: ConsumerDefinition = isolated
    ? { name: 'l2', stream: 'items', isolation: { module: isolatedModule } }
    : {
        name: 'l1',
        stream: 'items',
        handleRecord: (record) => onRecord(record.newImage?.sentAtMs as number),
      }

  const eddy = await openBench(dir, [consumer])
  await eddy.start()
  await eddy
    .table('items')
    .put({ id: 'warm-up', sentAtMs: performance.timeOrigin + performance.now() })
  await new Promise((resolve) => setTimeout(resolve, isolated ? 3_000 : 100))
  latencies.length = 0

  const intervalMs = 1000 / ratePerSecond
  const startedMs = performance.now()
  for (let i = 0; i < count; i++) {
    const dueMs = startedMs + i * intervalMs
    if (dueMs > performance.now())
      await new Promise((resolve) => setTimeout(resolve, dueMs - performance.now()))
    void eddy
      .table('items')
      .put({ id: `k${i % 1_000}`, n: i, sentAtMs: performance.timeOrigin + performance.now() })
  }
  const deadline = Date.now() + 10_000
  while (latencies.length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10))
  channel.close()
  await eddy.close()
  return latencies
}

/** Bare hand-off: a resolved promise per message, the floor of any in-process delivery. */
async function handOffP99(count: number): Promise<number> {
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    const sentMs = performance.now()
    await Promise.resolve()
    latencies.push(performance.now() - sentMs)
  }
  return percentile(latencies, 0.99)
}

function result(
  id: string,
  name: string,
  latencies: number[],
  reference: number,
  goal: number,
): ScenarioResult {
  return {
    id,
    name,
    value: round(percentile(latencies, 0.99)),
    unit: 'ms p99',
    reference: round(reference),
    referenceName: 'in-process hand-off p99',
    ratio: null,
    goal,
    goalKind: 'max',
    note: `p50 ${round(percentile(latencies, 0.5))} ms over ${latencies.length} records`,
  }
}

export const l1Latency: Scenario = async ({ quick, tmpDir }) => {
  const latencies = await measure(tmpDir, quick ? 2_000 : 10_000, 2_000, false)
  return [
    result(
      'L1',
      'put to in-process handler at 2k writes/s',
      latencies,
      await handOffP99(10_000),
      5,
    ),
  ]
}

export const l2Latency: Scenario = async ({ quick, tmpDir }) => {
  const latencies = await measure(tmpDir, quick ? 2_000 : 10_000, 2_000, true)
  return [
    result(
      'L2',
      'put to worker-thread handler at 2k writes/s',
      latencies,
      await handOffP99(10_000),
      10,
    ),
  ]
}
