import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ChangeRecord, EddyConfig } from '../../src/index.ts'
import { withEddy } from './queue-helpers.ts'

/**
 * The source article's scenario: a producer renames `rating` to `score`; the ratings consumer,
 * still reading `rating`, fails on every new record and dead-letters it; the handler is fixed and
 * reprocessing empties the dead-letter queue, each rating applied once.
 */
function ratingsApp() {
  const applied = new Map<string, number>()
  const state = { fixed: false }
  const handleRecord = (record: ChangeRecord) => {
    const image = record.newImage as { title: string; rating?: number; score?: number }
    const value = state.fixed ? (image.score ?? image.rating) : image.rating
    if (typeof value !== 'number') throw new TypeError(`rating of "${image.title}" is ${value}`)
    applied.set(image.title, (applied.get(image.title) ?? 0) + 1)
  }
  const config: EddyConfig = {
    tables: [
      { name: 'movies', partitionKey: { name: 'title', type: 'string' }, stream: { shards: 2 } },
    ],
    consumers: [
      { name: 'ratings', stream: 'movies', handleRecord, onFailure: { deadLetter: 'ratings-dlq' } },
    ],
  }
  return { config, applied, state }
}

async function breakTheConsumer(eddy: Parameters<Parameters<typeof withEddy>[1]>[0]) {
  const movies = eddy.table('movies')
  for (let i = 0; i < 3; i++) await movies.put({ title: `old ${i}`, rating: 7 })
  for (let i = 0; i < 10; i++) await movies.put({ title: `new ${i}`, score: 8 })
  await eddy.start()
  await eddy.waitUntilCaughtUp(10_000)
  await eddy.stop()
}

describe('dlq reprocess', () => {
  test('dlq reprocess - a fixed handler empties the dead-letter queue and applies each record once', () => {
    const { config, applied, state } = ratingsApp()
    return withEddy(config, async (eddy) => {
      await breakTheConsumer(eddy)
      assert.equal((await eddy.queue('ratings-dlq').depth()).visible, 10)
      assert.equal(applied.size, 3)

      const dry = await eddy.reprocess('ratings-dlq', { dryRun: true })
      assert.equal(dry.wouldRun, 10)
      assert.ok(dry.messages.every((m) => m.consumer === 'ratings'))
      assert.equal((await eddy.queue('ratings-dlq').peek({ limit: 100 }))[0]?.receiveCount, 0)

      state.fixed = true
      const summary = await eddy.reprocess('ratings-dlq', { concurrency: 4 })
      assert.equal(summary.reprocessed, 10)
      assert.equal(summary.left, 0)
      assert.equal(applied.size, 13)
      assert.ok([...applied.values()].every((count) => count === 1))
    })
  })

  test('dlq reprocess - a record that fails again stays with its receive count grown', () => {
    const { config } = ratingsApp()
    return withEddy(config, async (eddy) => {
      await breakTheConsumer(eddy)
      const summary = await eddy.reprocess('ratings-dlq', { limit: 2, visibilityTimeoutSeconds: 0 })
      assert.equal(summary.failed, 2)
      assert.equal(summary.left, 10)
      const counts = (await eddy.queue('ratings-dlq').peek({ limit: 100 })).map(
        (m) => m.receiveCount,
      )
      assert.deepEqual(counts.sort(), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    })
  })

  test('dlq reprocess - filters choose by error text and key, and leave the rest untouched', () => {
    const { config, state } = ratingsApp()
    return withEddy(config, async (eddy) => {
      await breakTheConsumer(eddy)
      state.fixed = true
      const byKey = await eddy.reprocess('ratings-dlq', { filter: { key: { title: 'new 3' } } })
      assert.equal(byKey.reprocessed, 1)
      assert.equal(byKey.filteredOut, 9)
      const byError = await eddy.reprocess('ratings-dlq', {
        filter: { errorContains: 'no such error' },
      })
      assert.equal(byError.reprocessed, 0)
      assert.equal(byError.left, 9)
      const peeked = await eddy.queue('ratings-dlq').peek({ limit: 100 })
      assert.ok(peeked.every((m) => m.receiveCount === 0))
    })
  })

  test('dlq reprocess - a message that is not a dead letter is reported and left in place', () => {
    const { config } = ratingsApp()
    return withEddy(config, async (eddy) => {
      await eddy.queue('ratings-dlq').send('{"not": "a dead letter"}')
      const summary = await eddy.reprocess('ratings-dlq')
      assert.equal(summary.malformed, 1)
      assert.match(summary.messages[0]?.error ?? '', /not an Eddy dead letter: format/)
      const [message] = await eddy.queue('ratings-dlq').peek()
      assert.equal(message?.receiveCount, 0)
      assert.equal(summary.left, 1)
    })
  })

  test('dlq reprocess - the redrive policy of the dead-letter queue itself still applies', () => {
    const { config } = ratingsApp()
    config.queues = [
      {
        name: 'ratings-dlq',
        visibilityTimeoutSeconds: 0,
        redrivePolicy: { deadLetterQueue: 'ratings-parked', maxReceiveCount: 1 },
      },
      { name: 'ratings-parked' },
    ]
    return withEddy(config, async (eddy) => {
      await breakTheConsumer(eddy)
      const first = await eddy.reprocess('ratings-dlq', { visibilityTimeoutSeconds: 0 })
      assert.equal(first.failed, 10)
      const second = await eddy.reprocess('ratings-dlq', { visibilityTimeoutSeconds: 0 })
      assert.equal(second.unavailable, 10)
      assert.equal((await eddy.queue('ratings-parked').depth()).visible, 10)
    })
  })
})
