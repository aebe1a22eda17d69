// Fixtures for the queue tests: an Eddy on a fresh database file in a temp folder, silent logs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, open, type Eddy, type EddyConfig } from '../../src/index.ts'

/** Runs `body` with an Eddy opened on a new database; closes it and removes the folder after. */
export async function withEddy<T>(
  config: EddyConfig,
  body: (eddy: Eddy, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-queues-'))
  const eddy = await open(
    { ...config, store: { path: join(dir, 'eddy.db'), pollIntervalMs: 20, ...config.store } },
    { logger: createLogger({ level: 'silent' }) },
  )
  try {
    return await body(eddy, dir)
  } finally {
    await eddy.close()
    await rm(dir, { recursive: true, force: true })
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
