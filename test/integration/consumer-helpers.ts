/** Shared fixtures of the consumer integration tests: a fresh database file per test. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'node:test'
import type { ConsumerDefinition } from '../../src/consumers/index.ts'
import type { Eddy } from '../../src/open.ts'
import type { ChangeRecord } from '../../src/streams/types.ts'
import { openEddy, type FixtureOptions } from './fixtures/open-eddy.ts'

export type { FixtureOptions }

/** A temp folder removed when the test's `using` scope ends. */
export function tempDir(): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), 'eddy-consumers-'))
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) }
}

/** Every Eddy a test opened; closed after each test, so that a failing test leaves no runner behind. */
const opened: Eddy[] = []
afterEach(async () => {
  for (const eddy of opened.splice(0)) await eddy.close().catch(() => {})
})

/** Opens an Eddy on a fresh file with table `users` (partition key `id`) and the consumers given. */
export async function openFixture(
  dir: string,
  consumers: ConsumerDefinition[],
  options: FixtureOptions = {},
): Promise<Eddy> {
  const eddy = await openEddy(dir, consumers, options)
  opened.push(eddy)
  return eddy
}

/** Puts users `u1`..`uN` (or the ids given). */
export async function putUsers(eddy: Eddy, ids: string[] | number): Promise<void> {
  const list = typeof ids === 'number' ? Array.from({ length: ids }, (_, i) => `u${i + 1}`) : ids
  for (const id of list) await eddy.table('users').put({ id, name: `name of ${id}` })
}

/** The `id` key of a record. */
export function idOf(record: ChangeRecord): string {
  return String(record.keys.id)
}

/** Polls `condition` every 5 ms until it holds; throws after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Fast retries for tests. */
export const quickBackoff = { initialMs: 5, maxMs: 20 }
