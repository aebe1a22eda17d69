import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateConfig as validateConfigForTests } from '../../src/config/index.ts'
import { ConfigError } from '../../src/index.ts'
import { sleep, withEddy } from './queue-helpers.ts'

const redriveConfig = {
  queues: [
    {
      name: 'jobs',
      visibilityTimeoutSeconds: 0,
      redrivePolicy: { deadLetterQueue: 'jobs-dlq', maxReceiveCount: 2 },
    },
    {
      name: 'jobs-dlq',
      redriveAllowPolicy: { permission: 'byQueue' as const, sourceQueues: ['jobs'] },
    },
    { name: 'other' },
  ],
}

describe('queue redrive', () => {
  test('queue redrive - a message received maxReceiveCount times moves to the dead-letter queue on its next receive', () =>
    withEddy(redriveConfig, async (eddy) => {
      const jobs = eddy.queue('jobs')
      const sent = await jobs.send('poison')
      assert.equal((await jobs.receive())[0]?.receiveCount, 1)
      assert.equal((await jobs.receive())[0]?.receiveCount, 2)
      assert.equal((await jobs.receive()).length, 0)

      const [dead] = await eddy.queue('jobs-dlq').receive()
      assert.equal(dead?.messageId, sent.messageId)
      assert.equal(dead?.body, 'poison')
      assert.equal(dead?.deadLetterSourceQueue, 'jobs')
      assert.equal(dead?.receiveCount, 1)
    }))

  test('queue redrive - move sends dead letters back to their source queue as new messages', () =>
    withEddy(redriveConfig, async (eddy) => {
      const jobs = eddy.queue('jobs')
      await jobs.sendBatch([
        { id: 'a', body: 'a' },
        { id: 'b', body: 'b' },
      ])
      for (let i = 0; i < 3; i++) await jobs.receive({ maxMessages: 10 })
      assert.equal((await eddy.queue('jobs-dlq').depth()).visible, 2)

      const summary = await eddy.move('jobs-dlq')
      assert.equal(summary.moved, 2)
      assert.equal((await eddy.queue('jobs-dlq').depth()).visible, 0)
      const back = await jobs.receive({ maxMessages: 10 })
      assert.deepEqual(back.map((m) => m.body).sort(), ['a', 'b'])
      assert.ok(back.every((m) => m.receiveCount === 1 && m.deadLetterSourceQueue === null))
    }))

  test('queue redrive - move to a named queue and at a rate, and cancel stops it', () =>
    withEddy(redriveConfig, async (eddy) => {
      const dlq = eddy.queue('jobs-dlq')
      await dlq.sendBatch(Array.from({ length: 6 }, (_, i) => ({ id: `m${i}`, body: `${i}` })))
      const controller = new AbortController()
      const summary = await eddy.move('jobs-dlq', {
        to: 'other',
        ratePerSecond: 20,
        onMessage: (m) => {
          if (m.newMessageId && m.sequence >= 3) controller.abort()
        },
        signal: controller.signal,
      })
      assert.equal(summary.cancelled, true)
      assert.ok(summary.moved >= 3 && summary.moved < 6, `moved ${summary.moved}`)
      assert.equal((await eddy.queue('other').depth()).visible, summary.moved)
      assert.equal(summary.left, 6 - summary.moved)
    }))

  test('queue redrive - a message without a source queue is left by a move without --to', () =>
    withEddy(redriveConfig, async (eddy) => {
      await eddy.queue('jobs-dlq').send('sent directly')
      const summary = await eddy.move('jobs-dlq')
      assert.equal(summary.moved, 0)
      assert.match(summary.messages[0]?.problem ?? '', /not redriven from a queue/)
      assert.equal(summary.left, 1)
    }))

  test('queue redrive - the config refuses a dead-letter queue whose allow policy leaves the source out', () => {
    assert.throws(
      () =>
        validateConfigForTests({
          queues: [
            { name: 'a', redrivePolicy: { deadLetterQueue: 'dlq', maxReceiveCount: 3 } },
            { name: 'dlq', redriveAllowPolicy: { permission: 'byQueue', sourceQueues: ['b'] } },
          ],
        }),
      /queues\[0\]\.redrivePolicy\.deadLetterQueue: "dlq" has a redrive allow policy that does not list "a"/,
    )
    assert.throws(
      () =>
        validateConfigForTests({
          queues: [
            { name: 'a', redrivePolicy: { deadLetterQueue: 'missing', maxReceiveCount: 3 } },
          ],
        }),
      ConfigError,
    )
    assert.throws(
      () =>
        validateConfigForTests({
          queues: [
            {
              name: 'a.fifo',
              fifo: true,
              redrivePolicy: { deadLetterQueue: 'dlq', maxReceiveCount: 3 },
            },
            { name: 'dlq' },
          ],
        }),
      /not of the same kind/,
    )
  })
})

describe('fifo queues', () => {
  const fifoConfig = { queues: [{ name: 'orders.fifo', fifo: true, visibilityTimeoutSeconds: 1 }] }

  test('fifo queues - messages of a group arrive in order and the group waits while one is in flight', () =>
    withEddy(fifoConfig, async (eddy) => {
      const queue = eddy.queue('orders.fifo')
      for (const [group, body] of [
        ['a', 'a1'],
        ['b', 'b1'],
        ['a', 'a2'],
        ['b', 'b2'],
      ]) {
        await queue.send(body as string, { messageGroupId: group, messageDeduplicationId: body })
      }
      const [first] = await queue.receive()
      assert.equal(first?.body, 'a1')
      const [second] = await queue.receive()
      assert.equal(second?.body, 'b1')
      assert.equal((await queue.receive()).length, 0, 'both groups have a message in flight')

      await queue.delete(first?.receiptHandle ?? '')
      const [third] = await queue.receive()
      assert.equal(third?.body, 'a2')
    }))

  test('fifo queues - a redelivered message comes before the later messages of its group', () =>
    withEddy(fifoConfig, async (eddy) => {
      const queue = eddy.queue('orders.fifo')
      await queue.sendBatch([
        { id: 'one', body: '1', messageGroupId: 'g', messageDeduplicationId: '1' },
        { id: 'two', body: '2', messageGroupId: 'g', messageDeduplicationId: '2' },
      ])
      const [first] = await queue.receive()
      await sleep(1050)
      const [again] = await queue.receive()
      assert.equal(again?.messageId, first?.messageId)
      assert.equal(again?.receiveCount, 2)
    }))

  test('fifo queues - a send with a deduplication id seen within 5 minutes is dropped', () =>
    withEddy(
      { queues: [{ name: 'orders.fifo', fifo: true, contentBasedDeduplication: true }] },
      async (eddy) => {
        const queue = eddy.queue('orders.fifo')
        const first = await queue.send('same', { messageGroupId: 'g' })
        const second = await queue.send('same', { messageGroupId: 'g' })
        const third = await queue.send('same', {
          messageGroupId: 'g',
          messageDeduplicationId: 'other',
        })
        assert.equal(second.duplicate, true)
        assert.equal(second.messageId, first.messageId)
        assert.equal(third.duplicate, false)
        assert.equal((await queue.depth()).visible, 2)
        await assert.rejects(
          queue.send('x'),
          /Queue "orders.fifo" is FIFO: messageGroupId is undefined/,
        )
      },
    ))

  test('fifo queues - a FIFO queue refuses a per-message delay and needs a deduplication id', () =>
    withEddy({ queues: [{ name: 'orders.fifo', fifo: true }] }, async (eddy) => {
      const queue = eddy.queue('orders.fifo')
      await assert.rejects(
        queue.send('x', { messageGroupId: 'g' }),
        /give a messageDeduplicationId/,
      )
      await assert.rejects(
        queue.send('x', { messageGroupId: 'g', messageDeduplicationId: 'd', delaySeconds: 5 }),
        /a delay is set for the queue, not per message/,
      )
    }))
})
