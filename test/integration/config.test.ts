import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, open, type EddyConfig } from '../../src/index.ts'

const table = { name: 'users', partitionKey: { name: 'id', type: 'string' as const } }
const handleRecord = () => {}

const cases: [string, unknown, RegExp][] = [
  ['an unknown top-level key', { tabels: [] }, /Config \(root\): Unrecognized key: "tabels"/],
  [
    'a bad key type',
    { tables: [{ ...table, partitionKey: { name: 'id', type: 'uuid' } }] },
    /Config tables\[0\]\.partitionKey\.type: .*"string".*"number".*\(got "uuid"\)/,
  ],
  [
    'a batch size out of range',
    {
      tables: [table],
      consumers: [{ name: 'c', stream: 'users', handleRecord, batchSize: 20_000 }],
    },
    /Config consumers\[0\]\.batchSize: use 1 to 10,000 records \(got 20000\)/,
  ],
  [
    'a handler that is not a function',
    { tables: [table], consumers: [{ name: 'c', stream: 'users', handleRecord: 'index.js' }] },
    /Config consumers\[0\]\.handleRecord: handleRecord must be a function/,
  ],
  [
    'an unknown failure mode',
    {
      tables: [table],
      consumers: [{ name: 'c', stream: 'users', handleRecord, onFailure: 'ignore' }],
    },
    /Config consumers\[0\]\.onFailure: .*\(got "ignore"\)/,
  ],
  [
    'a consumer of an undeclared stream',
    { tables: [table], consumers: [{ name: 'c', stream: 'orders', handleRecord }] },
    /Config consumers\[0\]\.stream: "orders" is not a declared stream \(tables with streams and standalone streams: "users"\)/,
  ],
  [
    'a duplicate table',
    { tables: [table, table] },
    /Config tables\[1\]\.name: "users" is declared twice/,
  ],
]

for (const [what, config, message] of cases) {
  test(`config - ${what} is refused with its path and value`, async () => {
    await assert.rejects(
      open(config as EddyConfig),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
    )
  })
}
