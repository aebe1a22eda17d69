/** Fixtures shared by the integration tests: fresh database files and a quiet logger. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, open, type Eddy, type EddyConfig } from '../src/index.ts'

const dirs: string[] = []
process.once('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** A fresh folder, removed when the test process exits. */
export function tempDir(prefix = 'eddy-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** Opens a config on a fresh database file with a silent logger. */
export async function openTemp(config: EddyConfig, dir = tempDir()): Promise<Eddy> {
  return open(
    { ...config, store: { ...config.store, path: join(dir, 'eddy.db') } },
    { logger: createLogger({ level: 'silent' }) },
  )
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
