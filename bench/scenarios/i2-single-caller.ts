/** I2: single puts from one caller, against one item + change record per transaction; and its p99. */
import { benchItem, openBench, percentile, ratioResult } from '../eddy.ts'
import { durationMs, reference } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const i2SingleCaller: Scenario = async (context) => {
  const raw = await reference('raw:item-change', context)
  const eddy = await openBench(context, 'i2')
  const items = eddy.table('items')
  const latenciesMs: number[] = []

  const start = performance.now()
  for (let n = 0; performance.now() - start < durationMs(context); n++) {
    const before = performance.now()
    await items.put(benchItem(n))
    latenciesMs.push(performance.now() - before)
  }
  const value = latenciesMs.length / ((performance.now() - start) / 1000)
  await eddy.close()

  const p99 = percentile(latenciesMs, 99)
  const note = `p50 ${percentile(latenciesMs, 50).toFixed(2)} ms`
  return [
    ratioResult(
      { id: 'I2', name: 'put, one caller', value, unit: 'writes/s', goal: 0.8, note },
      raw,
    ),
    {
      id: 'I2.p99',
      name: 'put, one caller: latency p99',
      value: p99,
      unit: 'ms',
      reference: null,
      referenceName: null,
      ratio: null,
      goal: 2,
      goalKind: 'max',
      note,
    },
  ]
}
