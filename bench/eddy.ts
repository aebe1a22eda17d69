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

/** A throughput result compared with a reference, with a `ratio` goal. */
export function ratioResult(
  fields: Omit<ScenarioResult, 'ratio' | 'goalKind' | 'referenceName' | 'reference'>,
  reference: { name: string; value: number },
): ScenarioResult {
  return {
    ...fields,
    reference: reference.value,
    referenceName: reference.name,
    ratio: fields.value / reference.value,
    goalKind: 'ratio',
  }
}

/** The p-th percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}
