import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { isMainThread } from 'node:worker_threads'
import { parseDeadLetter } from '../../src/queues/dead-letter.ts'
import { openFixture, putUsers, tempDir } from './consumer-helpers.ts'

const module = join(import.meta.dirname, 'fixtures', 'isolated-handlers.ts')

test('consumer isolation - a runaway handler is ended at the timeout and counted as failed', async () => {
  using dir = tempDir()
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'iso',
        stream: 'users',
        isolation: { module },
        handlerTimeoutMs: 500,
        onFailure: { deadLetter: 'dlq' },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, ['u1', 'loop', 'bad', 'u2'])
  await eddy.start()
  await eddy.waitUntilCaughtUp(20_000)

  const letters = (await eddy.queue('dlq').receive({ maxMessages: 10 })).map((m) =>
    parseDeadLetter(m.body),
  )
  const errors = letters.map((l) =>
    'deadLetter' in l ? `${l.deadLetter.record.keys.id}:${l.deadLetter.error.name}` : '?',
  )
  assert.deepEqual(errors, ['loop:HandlerTimeoutError', 'bad:TypeError'])
  assert.match(
    letters[1] && 'deadLetter' in letters[1] ? letters[1].deadLetter.error.message : '',
    /thread [1-9]/,
  )
  assert.ok(isMainThread)
  await eddy.close()
})

test('consumer isolation - an isolated batch handler reports partial failures', async () => {
  using dir = tempDir()
  const eddy = await openFixture(
    dir.path,
    [
      {
        name: 'iso-batch',
        stream: 'users',
        isolation: { module, exportName: 'handleBatch', batch: true },
        onFailure: { deadLetter: 'dlq' },
      },
    ],
    { queues: ['dlq'] },
  )
  await putUsers(eddy, ['u1', 'bad', 'u2'])
  await eddy.start()
  await eddy.waitUntilCaughtUp(20_000)
  const letters = await eddy.queue('dlq').receive({ maxMessages: 10 })
  assert.deepEqual(
    letters.map((m) => JSON.parse(m.body).record.keys.id),
    ['bad'],
  )
  await eddy.close()
})
