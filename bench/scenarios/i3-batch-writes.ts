/** I3: batch writes of 1,000 items, against 1,000 item + change records per transaction. */
import { benchItem, openBench, ratioResult } from '../eddy.ts'
import { durationMs, rate, reference } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const i3BatchWrites: Scenario = async (context) => {
  const raw = await reference('raw:item-change-1000', context)
  const eddy = await openBench(context, 'i3')
  const items = eddy.table('items')
  let n = 0

  const value = await rate(durationMs(context), 1_000, () =>
    items.batchWrite(Array.from({ length: 1_000 }, () => ({ put: benchItem(n++) }))),
  )
  await eddy.close()
  return [
    ratioResult(
      { id: 'I3', name: 'batch write of 1,000', value, unit: 'writes/s', goal: 0.5 },
      raw,
    ),
  ]
}
