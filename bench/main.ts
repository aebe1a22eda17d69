/**
 * `npm run bench`: measures the raw references, then each Eddy scenario, in one run, and prints
 * one table: scenario, Eddy's value, the reference, ratio and goal. `--json` also prints
 * `{ "scenarios": [...] }` on the last line; `--quick` runs shorter loops (well under a minute).
 * `--only D1,Q1` runs just the scenarios named (the raw references always run first).
 * Benchmarks never fail the test suite; this command exits non-zero only when a scenario throws.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { d1Drain } from './scenarios/d1-drain.ts'
import { d2Live } from './scenarios/d2-live.ts'
import { d3BatchOne } from './scenarios/d3-batch-one.ts'
import { d4TwoConsumers } from './scenarios/d4-two-consumers.ts'
import { i1ConcurrentPuts } from './scenarios/i1-concurrent-puts.ts'
import { i2SingleCaller } from './scenarios/i2-single-caller.ts'
import { i3BatchWrites } from './scenarios/i3-batch-writes.ts'
import { l1Latency, l2Latency } from './scenarios/l1-latency.ts'
import { q1DeadLetters } from './scenarios/q1-dead-letters.ts'
import { q2Queue } from './scenarios/q2-queue.ts'
import { r1StreamReads } from './scenarios/r1-stream-reads.ts'
import { rawReferences } from './scenarios/raw-references.ts'
import type { Scenario, ScenarioResult } from './types.ts'

/** Every scenario, in the order they run. Add new scenario modules here. */
const scenarios: [string, Scenario][] = [
  ['raw references', rawReferences],
  ['I1', i1ConcurrentPuts],
  ['I2', i2SingleCaller],
  ['I3', i3BatchWrites],
  ['R1', r1StreamReads],
  ['D1', d1Drain],
  ['D2', d2Live],
  ['D3', d3BatchOne],
  ['D4', d4TwoConsumers],
  ['L1', l1Latency],
  ['L2', l2Latency],
  ['Q1', q1DeadLetters],
  ['Q2', q2Queue],
]

function formatNumber(value: number | null): string {
  if (value === null) return '-'
  if (value >= 100) return Math.round(value).toLocaleString('en-US')
  return value.toFixed(2)
}

function goalText(result: ScenarioResult): string {
  if (result.goal === null) return '-'
  if (result.goalKind === 'max') return `<= ${result.goal} ${result.unit}`
  return `>= ${result.goal}`
}

function met(result: ScenarioResult): string {
  if (result.goal === null) return ''
  if (result.goalKind === 'max') return result.value <= result.goal ? 'ok' : 'MISSED'
  return (result.ratio ?? 0) >= result.goal ? 'ok' : 'MISSED'
}

function printTable(results: ScenarioResult[]): void {
  const rows = results.map((r) => [
    r.id,
    r.name,
    `${formatNumber(r.value)} ${r.unit}`,
    r.reference === null ? '-' : `${formatNumber(r.reference)} (${r.referenceName})`,
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    goalText(r),
    met(r),
    r.note ?? '',
  ])
  const header = ['id', 'scenario', 'Eddy', 'reference', 'ratio', 'goal', '', 'note']
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] as string).length)),
  )
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
  }
}

/** True when `--only` is absent or names the scenario; the raw references always run. */
function selected(name: string): boolean {
  const at = process.argv.indexOf('--only')
  if (at === -1 || name === 'raw references') return true
  return (process.argv[at + 1] ?? '').split(',').includes(name)
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const json = process.argv.includes('--json')
  const results: ScenarioResult[] = []

  for (const [name, scenario] of scenarios.filter(([name]) => selected(name))) {
    const tmpDir = mkdtempSync(join(tmpdir(), 'eddy-bench-'))
    try {
      if (!json) process.stderr.write(`running ${name}...\n`)
      results.push(...(await scenario({ quick, tmpDir })))
    } finally {
      rmSync(tmpDir, { recursive: true, force: true })
    }
  }

  printTable(results)
  if (json) {
    const scenarios = results.map(({ id, value, unit, reference, ratio, goal }) => ({
      id,
      value,
      unit,
      reference,
      ratio,
      goal,
    }))
    console.log(JSON.stringify({ scenarios }))
  }
}

await main()
