/** Q1: 1 % of records fail and are dead-lettered; against a clean drain (D1) in this run. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Scenario } from '../types.ts'
import { fillBacklog, openBench, round, timeDrain } from './consumer-kit.ts'
import { drainRate } from './d1-drain.ts'

export const q1DeadLetters: Scenario = async ({ quick, tmpDir }) => {
  const count = quick ? 20_000 : 200_000
  let handled = 0
  const dir = join(tmpDir, 'q1')
  mkdirSync(dir, { recursive: true })
  const eddy = await openBench(
    dir,
    [
      {
        name: 'q1',
        stream: 'items',
        onFailure: { deadLetter: 'q1-dlq' },
        handleRecord: (record) => {
          handled++
          if ((record.newImage?.n as number) % 100 === 0) throw new Error('one in a hundred')
        },
      },
    ],
    ['q1-dlq'],
  )
  await fillBacklog(eddy, count)
  const value = count / (await timeDrain(eddy, () => handled >= count))
  const dead = (await eddy.queue('q1-dlq').depth()).visible
  await eddy.close()

  const clean = join(tmpDir, 'clean')
  mkdirSync(clean, { recursive: true })
  const reference = await drainRate(clean, count)
  return [
    {
      id: 'Q1',
      name: '1 % of records dead-lettered',
      value: round(value),
      unit: 'records/s',
      reference: round(reference),
      referenceName: 'clean drain (D1)',
      ratio: round(value / reference),
      goal: 0.9,
      goalKind: 'ratio',
      note: `${dead} dead letters`,
    },
  ]
}
