/** Shared by the schema and contract tests: a fresh store per test and the article's users. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EddyConfig } from '../../src/index.ts'
import { createLogger } from '../../src/index.ts'
import type { JsonSchema, SchemaInput } from '../../src/schemas/index.ts'

/** A temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-schemas-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export const silent = createLogger({ level: 'silent' })

const str = { type: 'string' }

/** Users as first written: one `fullname`. */
export const usersV1: JsonSchema = {
  type: 'object',
  properties: { id: str, fullname: str, email: str },
  required: ['id', 'fullname'],
}

/** The polite change: `firstname` and `lastname` added next to `fullname`. */
export const usersPolite: JsonSchema = {
  type: 'object',
  properties: { id: str, fullname: str, firstname: str, lastname: str, email: str },
  required: ['id', 'fullname'],
}

/** The article's change: `fullname` replaced by `firstname` and `lastname`. */
export const usersRenamed: JsonSchema = {
  type: 'object',
  properties: { id: str, firstname: str, lastname: str, email: str },
  required: ['id', 'firstname', 'lastname'],
}

/** The users table, its indexer (which reads `fullname`) and a Slack notifier. */
export function usersConfig(
  dir: string,
  versions: SchemaInput[],
  extra: Partial<EddyConfig> = {},
): EddyConfig {
  return {
    store: { path: join(dir, 'eddy.db') },
    tables: [
      { name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 2 } },
    ],
    schemas: [{ stream: 'users', compatibility: 'none', versions }],
    consumers: [
      {
        name: 'search-indexer',
        stream: 'users',
        handleRecord: () => {},
        contract: { fields: { fullname: 'string', email: { type: 'string', required: false } } },
      },
      {
        name: 'slack-notifier',
        stream: 'users',
        handleRecord: () => {},
        contract: { fields: { id: 'string' } },
      },
    ],
    ...extra,
  }
}
