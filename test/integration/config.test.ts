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
    'an alarm on an unknown metric',
    { tables: [table], alarms: [{ name: 'a', metric: 'lag', threshold: 1 }] },
    /Config alarms\[0\]\.metric: .*"iteratorAgeMs".*"queueDepth".*\(got "lag"\)/,
  ],
  [
    'an alarm with more datapoints to alarm than evaluation periods',
    {
      alarms: [
        { name: 'a', metric: 'errors', threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 3 },
      ],
    },
    /Config alarms\[0\]\.datapointsToAlarm: datapointsToAlarm \(M\) must be at most evaluationPeriods \(N\)/,
  ],
  [
    'an alarm on an undeclared consumer',
    { tables: [table], alarms: [{ name: 'a', metric: 'errors', consumer: 'x', threshold: 1 }] },
    /Config alarms\[0\]\.consumer: "x" is not a declared consumer \(consumers: none\)/,
  ],
  [
    'a queue alarm without its queue',
    { alarms: [{ name: 'a', metric: 'queueDepth', threshold: 10 }] },
    /Config alarms\[0\]\.queue: a queue metric names its queue/,
  ],
  [
    'an alarm webhook that is not a URL',
    { alarms: [{ name: 'a', metric: 'errors', threshold: 1, webhookUrl: 'slack' }] },
    /Config alarms\[0\]\.webhookUrl: .*\(got "slack"\)/,
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
