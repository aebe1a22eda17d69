/** I2: single puts from one caller, against one item + change record per transaction; and its p99. */
import { benchItem, openBench, paired, percentile, ratioResult } from '../eddy.ts'
import { durationMs, measures } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const i2SingleCaller: Scenario = async (context) => {
  const eddy = await openBench(context, 'i2')
  const items = eddy.table('items')
  const latenciesMs: number[] = []
  let n = 0

  const puts = async () => {
    const start = performance.now()
    let count = 0
    for (; performance.now() - start < durationMs(context); count++) {
      const before = performance.now()
      await items.put(benchItem(n++))
      latenciesMs.push(performance.now() - before)
    }
    return count / ((performance.now() - start) / 1000)
  }
  const raw = async () => (await measures['raw:item-change'](context)).value
  const { value, reference, ratio } = await paired(context, raw, puts)
  await eddy.close()

  const p99 = percentile(latenciesMs, 99)
  const note = `p50 ${percentile(latenciesMs, 50).toFixed(2)} ms`
  return [
    ratioResult(
      { id: 'I2', name: 'put, one caller', value, unit: 'writes/s', goal: 0.8, note },
      { name: 'item upsert + change record, 1 per transaction, FULL', value: reference },
      ratio,
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
