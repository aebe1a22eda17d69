/** I3: batch writes of 1,000 items, against 1,000 item + change records per transaction. */
import { benchItem, openBench, paired, ratioResult } from '../eddy.ts'
import { durationMs, measures, rate } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const i3BatchWrites: Scenario = async (context) => {
  const eddy = await openBench(context, 'i3')
  const items = eddy.table('items')
  let n = 0

  const raw = async () => (await measures['raw:item-change-1000'](context)).value
  const batch = () =>
    rate(durationMs(context), 1_000, () =>
      items.batchWrite(Array.from({ length: 1_000 }, () => ({ put: benchItem(n++) }))),
    )
  const { value, reference, ratio } = await paired(context, raw, batch)
  await eddy.close()
  return [
    ratioResult(
      { id: 'I3', name: 'batch write of 1,000', value, unit: 'writes/s', goal: 0.5 },
      { name: 'item upsert + change record, 1000 per transaction, FULL', value: reference },
      ratio,
    ),
  ]
}
