/** Fixtures for integration tests: a fresh database file per test, and stream readers. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { createLogger } from '../../src/observe/logger.ts'
import { open, type Eddy } from '../../src/open.ts'
import type { EddyConfig } from '../../src/config/index.ts'
import type { ChangeRecord } from '../../src/streams/types.ts'

/** A fresh folder under the system's temp folder, removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Opens Eddy on a fresh database file; closed after the test. */
export async function openTemp(t: TestContext, config: EddyConfig, path?: string): Promise<Eddy> {
  const storePath = path ?? join(tempDir(t), 'eddy.db')
  const eddy = await open(config, { storePath, logger: createLogger({ level: 'silent' }) })
  t.after(() => eddy.close())
  return eddy
}

/** A table `users` keyed by `id`, with a stream of the given view type. */
export function usersConfig(
  viewType: NonNullable<EddyConfig['tables']>[number]['stream'] = {},
): EddyConfig {
  return {
    tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: viewType }],
  }
}

/** Every record of a stream, shard by shard, ordered by sequence number. */
export async function allRecords(eddy: Eddy, stream: string): Promise<ChangeRecord[]> {
  const reader = eddy.stream(stream)
  const records: ChangeRecord[] = []
  for (const { shardId } of (await reader.describe()).shards) {
    let iterator = await reader.getShardIterator(shardId, { type: 'TRIM_HORIZON' })
    for (;;) {
      const read = await reader.read(iterator)
      records.push(...read.records)
      iterator = read.nextIterator
      if (read.records.length === 0) break
    }
  }
  return records.sort((a, b) => a.sequenceNumber.localeCompare(b.sequenceNumber))
}
