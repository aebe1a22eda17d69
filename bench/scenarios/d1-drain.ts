/** D1: drain a backlog with one consumer, batch 100, checkpoint per batch; against raw reads. */
import type { Scenario } from '../types.ts'
import {
  fillBacklog,
  medianRounds,
  openBench,
  rawReadRate,
  round,
  timeDrain,
} from './consumer-kit.ts'

/** Drains `count` records with one consumer; returns records per second. */
export async function drainRate(dir: string, count: number): Promise<number> {
  let handled = 0
  const eddy = await openBench(dir, [
    { name: 'd1', stream: 'items', batchSize: 100, handleRecord: () => void handled++ },
  ])
  await fillBacklog(eddy, count)
  const seconds = await timeDrain(eddy, () => handled >= count)
  await eddy.close()
  return count / seconds
}

export const d1Drain: Scenario = async (context) => {
  const count = context.quick ? 20_000 : 200_000
  const { value, reference, ratio } = await medianRounds(context, async (dir) => ({
    value: await drainRate(dir, count),
    reference: rawReadRate(dir),
  }))
  return [
    {
      id: 'D1',
      name: `drain a ${count.toLocaleString('en')} backlog, batch 100`,
      value: round(value),
      unit: 'records/s',
      reference: round(reference),
      referenceName: 'raw read after position, 1,000 rows',
      ratio: round(ratio),
      goal: 0.25,
      goalKind: 'ratio',
    },
  ]
}
