/** D4: two consumers drain one stream at once; each against one consumer alone (D1) in this run. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Scenario } from '../types.ts'
import { fillBacklog, openBench, round, timeDrain } from './consumer-kit.ts'
import { drainRate } from './d1-drain.ts'

export const d4TwoConsumers: Scenario = async ({ quick, tmpDir }) => {
  const count = quick ? 20_000 : 200_000
  const counts = { a: 0, b: 0 }
  const two = join(tmpDir, 'two')
  mkdirSync(two, { recursive: true })
  const eddy = await openBench(two, [
    { name: 'd4a', stream: 'items', handleRecord: () => void counts.a++ },
    { name: 'd4b', stream: 'items', handleRecord: () => void counts.b++ },
  ])
  await fillBacklog(eddy, count)
  const value = count / (await timeDrain(eddy, () => counts.a >= count && counts.b >= count))
  await eddy.close()

  const one = join(tmpDir, 'one')
  mkdirSync(one, { recursive: true })
  const reference = await drainRate(one, count)
  return [
    {
      id: 'D4',
      name: 'two consumers on one stream, each',
      value: round(value),
      unit: 'records/s',
      reference: round(reference),
      referenceName: 'one consumer alone (D1)',
      ratio: round(value / reference),
      goal: 0.45,
      goalKind: 'ratio',
    },
  ]
}
