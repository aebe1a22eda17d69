import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { ConflictError, StoppedError, ValidationError } from '../../src/index.ts'
import { sleep, withEddy } from './queue-helpers.ts'
import { openTemp } from '../helpers.ts'

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

describe('queues', () => {
  test('queues - send returns the message id and the MD5 of the body', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const sent = await eddy.queue('jobs').send('hello')
      assert.equal(sent.md5OfBody, md5('hello'))
      const [message] = await eddy.queue('jobs').receive()
      assert.equal(message?.messageId, sent.messageId)
      assert.equal(message?.md5OfBody, md5('hello'))
      assert.equal(message?.receiveCount, 1)
      assert.ok(message && message.firstReceivedAtMs >= message.sentAtMs)
    }))

  test('queues - a batch reports per entry and refuses empty, oversized and duplicate-id batches', () =>
    withEddy({ queues: [{ name: 'jobs', maxBodyBytes: 10 }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      const result = await queue.sendBatch([
        { id: 'a', body: 'short' },
        { id: 'b', body: 'far too long for the limit' },
        { id: 'c', body: 'ok', delaySeconds: 901 },
      ])
      assert.deepEqual(
        result.successful.map((s) => s.id),
        ['a'],
      )
      assert.deepEqual(
        result.failed.map((f) => f.id),
        ['b', 'c'],
      )
      assert.match(result.failed[0]?.message ?? '', /queue "jobs".*over the queue's limit of 10/)
      await assert.rejects(queue.sendBatch([]), /Batch for queue "jobs" is empty/)
      const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `m${i}`, body: 'x' }))
      await assert.rejects(queue.sendBatch(eleven), /has 11 entries: at most 10/)
      await assert.rejects(
        queue.sendBatch([
          { id: 'x', body: '1' },
          { id: 'x', body: '2' },
        ]),
        /"x" appears twice/,
      )
    }))

  test('queues - message attributes come back with their MD5', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      const sent = await queue.send('body', {
        messageAttributes: {
          kind: { dataType: 'String', stringValue: 'a' },
          n: { dataType: 'Number', stringValue: '3' },
        },
      })
      const [message] = await queue.receive()
      assert.equal(message?.messageAttributes.kind?.stringValue, 'a')
      assert.equal(message?.md5OfMessageAttributes, sent.md5OfMessageAttributes)
      assert.match(sent.md5OfMessageAttributes ?? '', /^[0-9a-f]{32}$/)
    }))

  test('queues - a delayed message is hidden until its delay ends', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      await queue.send('later', { delaySeconds: 1 })
      assert.equal((await queue.depth()).delayed, 1)
      assert.equal((await queue.receive()).length, 0)
      const [message] = await queue.receive({ waitTimeSeconds: 2 })
      assert.equal(message?.body, 'later')
    }))

  test('queues - a message is redelivered after its visibility timeout and the old receipt handle is refused', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      await queue.send('work')
      const [first] = await queue.receive({ visibilityTimeoutSeconds: 1 })
      assert.equal((await queue.receive()).length, 0)
      assert.equal((await queue.depth()).inFlight, 1)
      await sleep(1050)
      const [second] = await queue.receive()
      assert.equal(second?.receiveCount, 2)
      assert.equal(second?.firstReceivedAtMs, first?.firstReceivedAtMs)
      await assert.rejects(queue.delete(first?.receiptHandle ?? ''), ConflictError)
      await assert.rejects(
        queue.delete(first?.receiptHandle ?? ''),
        /Queue "jobs": receipt handle .* is stale/,
      )
      await queue.delete(second?.receiptHandle ?? '')
      assert.equal((await queue.depth()).visible + (await queue.depth()).inFlight, 0)
    }))

  test('queues - change visibility hides or shows an in-flight message', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      await queue.send('work')
      const [message] = await queue.receive({ visibilityTimeoutSeconds: 60 })
      await queue.changeVisibility(message?.receiptHandle ?? '', 0)
      const [again] = await queue.receive()
      assert.equal(again?.receiveCount, 2)
      await assert.rejects(
        queue.changeVisibility(again?.receiptHandle ?? '', 43_201),
        /visibilityTimeoutSeconds is 43201/,
      )
    }))

  test('queues - a receipt handle of another queue or no handle at all is refused naming the queue', () =>
    withEddy({ queues: [{ name: 'a' }, { name: 'b' }] }, async (eddy) => {
      await eddy.queue('a').send('x')
      const [message] = await eddy.queue('a').receive()
      await assert.rejects(
        eddy.queue('b').delete(message?.receiptHandle ?? ''),
        /Queue "b": receipt handle .* belongs to another queue/,
      )
      await assert.rejects(
        eddy.queue('b').delete('nonsense'),
        /Queue "b": "nonsense" is not a receipt handle/,
      )
      const batch = await eddy.queue('a').deleteBatch([
        { id: 'good', receiptHandle: message?.receiptHandle ?? '' },
        { id: 'bad', receiptHandle: 'nonsense' },
      ])
      assert.deepEqual(batch.successful, [{ id: 'good' }])
      assert.equal(batch.failed[0]?.id, 'bad')
    }))

  test('queues - bad input names the queue and the problem', () =>
    withEddy({ queues: [{ name: 'jobs', maxBodyBytes: 4 }] }, async (eddy) => {
      assert.throws(() => eddy.queue('nope'), /Queue "nope" is not declared/)
      const queue = eddy.queue('jobs')
      await assert.rejects(queue.send('12345'), ValidationError)
      await assert.rejects(queue.receive({ maxMessages: 11 }), /Queue "jobs": maxMessages is 11/)
      await assert.rejects(
        queue.receive({ visibilityTimeoutSeconds: -1 }),
        /Queue "jobs": visibilityTimeoutSeconds is -1/,
      )
      await assert.rejects(queue.receive({ waitTimeSeconds: 21 }), /waitTimeSeconds is 21/)
    }))

  test('queues - long polling returns as soon as a message is sent', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      const startedMs = Date.now()
      const waiting = queue.receive({ waitTimeSeconds: 10 })
      await sleep(100)
      await queue.send('now')
      const [message] = await waiting
      assert.equal(message?.body, 'now')
      assert.ok(Date.now() - startedMs < 5000, 'the receive returned before its wait time ended')
    }))

  test('queues - retention deletes messages older than the retention period', () =>
    withEddy({ queues: [{ name: 'jobs', retentionSeconds: 60 }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      await queue.send('old')
      // Age the message instead of waiting a minute.
      const db = (await import('better-sqlite3')).default
      const raw = new db(eddy.store.location)
      raw.prepare('UPDATE messages SET sent_at_ms = sent_at_ms - 61000').run()
      raw.close()
      assert.equal((await queue.depth()).visible, 0)
      assert.equal((await queue.receive()).length, 0)
      assert.equal((await queue.peek()).length, 0)
    }))

  test('queues - purge deletes every message and attributes count them first', () =>
    withEddy({ queues: [{ name: 'jobs' }] }, async (eddy) => {
      const queue = eddy.queue('jobs')
      await queue.sendBatch([
        { id: 'a', body: '1' },
        { id: 'b', body: '2', delaySeconds: 60 },
        { id: 'c', body: '3' },
      ])
      await queue.receive()
      const attributes = await queue.attributes()
      assert.deepEqual([attributes.visible, attributes.inFlight, attributes.delayed], [1, 1, 1])
      assert.equal(attributes.oldestMessageAgeSeconds, 0)
      assert.equal(await queue.purge(), 3)
      assert.equal((await queue.attributes()).oldestMessageAgeSeconds, null)
    }))
})

test('queues - a long poll in progress fails with StoppedError when the store closes', async () => {
  const eddy = await openTemp({ queues: [{ name: 'jobs' }] })
  const poll = eddy.queue('jobs').receive({ waitTimeSeconds: 20 })
  await new Promise((resolve) => setTimeout(resolve, 50))

  await eddy.close()
  await assert.rejects(poll, (error: unknown) => error instanceof StoppedError)
})
