/**
 * What every example script needs around its own story: its options, a store folder it may
 * safely reset, per-consumer totals for its summary, and one-line errors for bad input.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Eddy } from '../../src/index.ts'

/** A problem with an example's options or files: printed as one line, exit code 2. */
export class ExampleError extends Error {}

/** `--data <file> --dir <folder> --json`, with the example's defaults. */
export function parseExampleOptions(defaults: { data: string; dir: string }) {
  try {
    return parseArgs({
      options: {
        data: { type: 'string', default: defaults.data },
        dir: { type: 'string', default: defaults.dir },
        json: { type: 'boolean', default: false },
      },
    }).values
  } catch (error) {
    throw new ExampleError(
      `${(error as Error).message}; the options are --data <file> --dir <folder> --json`,
    )
  }
}

export type ExampleOptions = ReturnType<typeof parseExampleOptions>

/**
 * Starts from a fresh store: removes the files (and their -wal/-shm) an earlier run left. A
 * folder that holds such files without the example's marker belongs to someone else, and is
 * left alone; `who` names the example in the message (`demo`, `example`).
 */
export function prepareExampleDir(
  dir: string,
  { marker, files, who }: { marker: string; files: string[]; who: string },
): void {
  if (dir.trim() === '')
    throw new ExampleError(`--dir is empty: name a folder for the ${who} store`)
  mkdirSync(dir, { recursive: true })
  const present = files.filter((name) => existsSync(join(dir, name)))
  if (present.length > 0 && !existsSync(join(dir, marker))) {
    throw new ExampleError(
      `${resolve(dir)} already holds ${present.join(', ')}, which the ${who} did not create: ` +
        `pass another --dir (the ${who} replaces only its own files)`,
    )
  }
  for (const name of files) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, name + suffix), { force: true })
  }
  writeFileSync(join(dir, marker), `Files here are made and replaced by the ${who}.\n`)
}

/** Records delivered, failed and dead-lettered per consumer, summed over its shards. */
export async function consumerTotals(eddy: Eddy) {
  const totals: Record<string, { delivered: number; failed: number; deadLettered: number }> = {}
  for (const row of (await eddy.status()).consumers) {
    const total = (totals[row.consumer] ??= { delivered: 0, failed: 0, deadLettered: 0 })
    total.delivered += row.delivered
    total.failed += row.errors
    total.deadLettered += row.deadLettered
  }
  return totals
}

/** Runs an example's main; an `ExampleError` becomes one line on standard error and exit 2. */
export async function runExample(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    if (!(error instanceof ExampleError)) throw error
    process.stderr.write(`${name}: ${error.message}\n`)
    process.exitCode = 2
  }
}
