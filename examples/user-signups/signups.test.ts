import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../test/helpers.ts'
import { defaultDataFile } from './user.ts'

const root = new URL('../..', import.meta.url).pathname

function runExample(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', 'examples/user-signups/main.ts', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 180_000,
    },
  )
}

test('signups example - its summary matches counts computed from the data file', () => {
  const dir = join(tempDir(), 'signups')
  const run = runExample(['--json', '--dir', dir])
  assert.equal(run.status, 0, run.stderr)
  const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')

  const users = JSON.parse(readFileSync(join(root, defaultDataFile), 'utf8')) as {
    firstName: string
    lastName: string
    username: string
    password: string
  }[]
  const total = new Set(users.map((u) => u.username)).size
  const v1 = Math.ceil(users.length / 2)
  const v2 = users.length - v1

  assert.deepEqual([summary.users, summary.writtenWithFullname], [total, v1])
  assert.deepEqual(summary.consumers['search-index'], {
    delivered: total,
    failed: v2,
    deadLettered: v2,
  })
  assert.deepEqual(summary.consumers['signup-notifier'], {
    delivered: total,
    failed: v2,
    deadLettered: 0,
  })
  assert.deepEqual(summary.consumers['welcome-mail'], {
    delivered: total,
    failed: 0,
    deadLettered: 0,
  })
  assert.equal(summary.notificationsPosted, v1)
  assert.deepEqual(
    [summary.deadLettered, summary.reprocessed, summary.failedAgain, summary.dlqRemaining],
    [v2, v2, 0, 0],
  )
  assert.equal(summary.indexed, total)
  const sample = users[v1]
  assert.ok(sample && summary.search.hits.includes(sample.username), 'a v2 user is found by name')

  assert.deepEqual(
    [summary.mailsBeforeReplay, summary.replayedRecords, summary.mailsSent, summary.duplicateMails],
    [total, total, total, 0],
  )
  assert.ok(summary.alarmTransitions.at(-2).endsWith('→ALARM'), summary.alarmTransitions)
  assert.equal(summary.alarmTransitions.at(-1), 'ALARM→OK')

  // Only names, usernames and emails are read: no password reaches the log or the store.
  const log = readFileSync(summary.log, 'utf8')
  const store = readFileSync(summary.store)
  for (const user of users.slice(0, 20)) {
    assert.ok(!log.includes(user.password) && !store.includes(user.password))
  }
})

test('signups example - a missing data file and a folder it did not create are refused', () => {
  const dir = tempDir()
  const missing = runExample(['--data', join(dir, 'nope.json'), '--dir', join(dir, 'a')])
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /User data not found at .*nope\.json[\s\S]*shared\/data\/users/)

  writeFileSync(join(dir, 'eddy.db'), 'not mine')
  const foreign = runExample(['--dir', dir])
  assert.equal(foreign.status, 2)
  assert.match(foreign.stderr, /already holds eddy\.db, which the example did not create/)
  assert.equal(readFileSync(join(dir, 'eddy.db'), 'utf8'), 'not mine')
})
