/** D3: batch size 1 (a checkpoint write per record); against raw one row per transaction. */
import type { Scenario } from '../types.ts'
import {
  fillBacklog,
  medianRounds,
  openBench,
  rawOneRowPerTransaction,
  round,
  timeDrain,
} from './consumer-kit.ts'

/** Drains `count` records with batch size 1; returns records per second. */
async function drainOneByOne(dir: string, count: number): Promise<number> {
  let handled = 0
  const eddy = await openBench(dir, [
    { name: 'd3', stream: 'items', batchSize: 1, handleRecord: () => void handled++ },
  ])
  await fillBacklog(eddy, count)
  const value = count / (await timeDrain(eddy, () => handled >= count))
  await eddy.close()
  return value
}

export const d3BatchOne: Scenario = async (context) => {
  const count = context.quick ? 2_000 : 10_000
  const { value, reference, ratio } = await medianRounds(context, async (dir) => ({
    value: await drainOneByOne(dir, count),
    reference: rawOneRowPerTransaction(dir, count),
  }))
  return [
    {
      id: 'D3',
      name: 'drain with batch size 1',
      value: round(value),
      unit: 'records/s',
      reference: round(reference),
      referenceName: 'raw one row per transaction, FULL',
      ratio: round(ratio),
      goal: 0.8,
      goalKind: 'ratio',
    },
  ]
}
