/** I1: single puts from 50 concurrent callers, against the bare group-commit loop. */
import { benchItem, openBench, ratioResult } from '../eddy.ts'
import { concurrentRate, durationMs, reference } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const i1ConcurrentPuts: Scenario = async (context) => {
  const raw = await reference('raw:group-commit', context)
  const eddy = await openBench(context, 'i1')
  const items = eddy.table('items')
  let n = 0

  const value = await concurrentRate(durationMs(context), 50, () => items.put(benchItem(n++)))
  await eddy.close()
  return [
    ratioResult(
      { id: 'I1', name: 'put, 50 concurrent callers', value, unit: 'writes/s', goal: 0.5 },
      raw,
    ),
  ]
}
