/**
 * Runs the consumer scenarios alone (`node --import tsx bench/run-scenarios.ts [--quick]`) until
 * they are wired into bench/main.ts; prints one line per result.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { d1Drain } from './scenarios/d1-drain.ts'
import { d3BatchOne } from './scenarios/d3-batch-one.ts'
import { d4TwoConsumers } from './scenarios/d4-two-consumers.ts'
import { l1Latency, l2Latency } from './scenarios/l1-latency.ts'
import { q1DeadLetters } from './scenarios/q1-dead-letters.ts'
import type { Scenario } from './types.ts'

const quick = process.argv.includes('--quick')
const scenarios: Scenario[] = [
  d1Drain,
  d3BatchOne,
  d4TwoConsumers,
  q1DeadLetters,
  l1Latency,
  l2Latency,
]

for (const scenario of scenarios) {
  const tmpDir = mkdtempSync(join(tmpdir(), 'eddy-bench-'))
  try {
    for (const r of await scenario({ quick, tmpDir })) {
      const versus =
        r.goalKind === 'max' ? `goal <= ${r.goal}` : `ratio ${r.ratio} (goal ${r.goal})`
      process.stdout.write(
        `${r.id}\t${r.value} ${r.unit}\tref ${r.reference} (${r.referenceName})\t${versus}\t${r.note ?? ''}\n`,
      )
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true })
  }
}
