/**
 * The shape every benchmark scenario returns. A scenario module in `bench/scenarios/` exports a
 * `Scenario`; `bench/main.ts` runs them in order and prints one table (and with --json one
 * object): scenario, Eddy's value, the reference measured in the same run, ratio and goal.
 */

export interface ScenarioResult {
  /** Id from ../shared/PERFORMANCE.md, such as `I1`; raw references use `raw:<name>`. */
  id: string
  /** What was measured, in a few words. */
  name: string
  /** Throughput, or for latency goals the p99. */
  value: number
  unit: string
  /** The reference measured in this run, in the same unit; null when there is none. */
  reference: number | null
  referenceName: string | null
  /** value / reference for throughput; reference / value is never used: latency compares to goal. */
  ratio: number | null
  /** For `ratio` goals the least ratio wanted; for `max` goals the largest value allowed. */
  goal: number | null
  goalKind: 'ratio' | 'max' | null
  /** Anything worth printing beside the numbers (p50, counts, a skipped peer). */
  note?: string
}

export interface ScenarioContext {
  /** A shorter run, for CI and quick checks. */
  quick: boolean
  /** A fresh folder for this scenario's database files. */
  tmpDir: string
}

export type Scenario = (context: ScenarioContext) => Promise<ScenarioResult[]>
