/** I1: single puts from 50 concurrent callers, against the bare group-commit loop. */
import { benchItem, openBench, paired, ratioResult } from '../eddy.ts'
import { concurrentRate, durationMs, measures } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const i1ConcurrentPuts: Scenario = async (context) => {
  const eddy = await openBench(context, 'i1')
  const items = eddy.table('items')
  let n = 0

  const raw = async () => (await measures['raw:group-commit'](context)).value
  const put = () => concurrentRate(durationMs(context), 50, () => items.put(benchItem(n++)))
  const { value, reference, ratio } = await paired(context, raw, put)
  await eddy.close()
  return [
    ratioResult(
      { id: 'I1', name: 'put, 50 concurrent callers', value, unit: 'writes/s', goal: 0.5 },
      { name: 'bare group commit, 50 callers, FULL', value: reference },
      ratio,
    ),
  ]
}
