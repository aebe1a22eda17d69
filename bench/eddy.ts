/** Opens Eddy for a scenario: one table with a 4-shard stream, on a fresh file, logging nothing. */
import { join } from 'node:path'
import { createLogger } from '../src/observe/logger.ts'
import { open, type Eddy } from '../src/open.ts'
import type { ScenarioContext, ScenarioResult } from './types.ts'

export async function openBench(context: ScenarioContext, name: string): Promise<Eddy> {
  return open(
    {
      tables: [
        { name: 'items', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 4 } },
      ],
    },
    { storePath: join(context.tmpDir, `${name}.db`), logger: createLogger({ level: 'silent' }) },
  )
}

/** An item of about 200 bytes, as PERFORMANCE.md's goals assume. */
export function benchItem(n: number): { id: string; payload: string; n: number } {
  return { id: `item-${n}`, payload: 'p'.repeat(170), n }
}

/**
 * A throughput result compared with a reference, with a `ratio` goal. The ratio is `ratio` when
 * given (the median of paired rounds), else value / reference.
 */
export function ratioResult(
  fields: Omit<ScenarioResult, 'ratio' | 'goalKind' | 'referenceName' | 'reference'>,
  reference: { name: string; value: number },
  ratio = fields.value / reference.value,
): ScenarioResult {
  return {
    ...fields,
    reference: reference.value,
    referenceName: reference.name,
    ratio,
    goalKind: 'ratio',
  }
}

/** How many times a paired measurement alternates the reference and Eddy. */
export function roundsOf(context: ScenarioContext): number {
  return context.quick ? 3 : 5
}

/** Medians of a paired measurement: Eddy's value, the reference's, and their ratio per round. */
export interface Paired {
  value: number
  reference: number
  ratio: number
}

/**
 * Measures the reference and Eddy in turn, `roundsOf(context)` times. On a shared, noisy machine
 * a burst of other work then slows both sides of a round alike, where one reference measured
 * minutes before Eddy could land in a burst that Eddy misses, or the reverse.
 */
export async function paired(
  context: ScenarioContext,
  reference: () => Promise<number>,
  eddy: () => Promise<number>,
): Promise<Paired> {
  const values: number[] = []
  const references: number[] = []
  for (let round = 0; round < roundsOf(context); round++) {
    references.push(await reference())
    values.push(await eddy())
  }
  return {
    value: median(values),
    reference: median(references),
    ratio: median(values.map((value, i) => value / (references[i] as number))),
  }
}

function median(values: number[]): number {
  return percentile(values, 50)
}

/** The p-th percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}
