/** Fixtures shared by the integration tests: fresh database files and a quiet logger. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
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

const opened: Eddy[] = []
// A test that fails before its own close() would leave consumers running, and a running
// consumer keeps the process (and so the whole suite) alive: close whatever is still open.
after(() => Promise.all(opened.map((eddy) => eddy.close())))

/** Opens a config on a fresh database file with a silent logger; closed after the file's tests. */
export async function openTemp(config: EddyConfig, dir = tempDir()): Promise<Eddy> {
  const eddy = await open(
    { ...config, store: { ...config.store, path: join(dir, 'eddy.db') } },
    { logger: createLogger({ level: 'silent' }) },
  )
  opened.push(eddy)
  return eddy
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
