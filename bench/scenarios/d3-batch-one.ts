/** D3: batch size 1 (a checkpoint write per record); against raw one row per transaction. */
import type { Scenario } from '../types.ts'
import {
  fillBacklog,
  openBench,
  rawOneRowPerTransaction,
  round,
  timeDrain,
} from './consumer-kit.ts'

export const d3BatchOne: Scenario = async ({ quick, tmpDir }) => {
  const count = quick ? 2_000 : 10_000
  let handled = 0
  const eddy = await openBench(tmpDir, [
    { name: 'd3', stream: 'items', batchSize: 1, handleRecord: () => void handled++ },
  ])
  await fillBacklog(eddy, count)
  const value = count / (await timeDrain(eddy, () => handled >= count))
  await eddy.close()
  const reference = rawOneRowPerTransaction(tmpDir, count)
  return [
    {
      id: 'D3',
      name: 'drain with batch size 1',
      value: round(value),
      unit: 'records/s',
      reference: round(reference),
      referenceName: 'raw one row per transaction, FULL',
      ratio: round(value / reference),
      goal: 0.8,
      goalKind: 'ratio',
    },
  ]
}
