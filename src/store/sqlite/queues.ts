/**
 * SQL for queues: their attributes, sending, and reads that receive nothing (depth, peek).
 * Receiving, deleting and visibility are in `queue-receive.ts`; moving in `queue-move.ts`.
 */
import crypto, { createHash, randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import { NotFoundError } from '../../errors.ts'
import type { NewMessage, PeekedMessage, QueueDepth, QueueRow, SentMessage } from '../index.ts'

/** FIFO queues drop a message whose deduplication id was seen this recently. */
export const deduplicationWindowMs = 5 * 60_000

export interface QueueSql {
  name: string
  fifo: number
  content_based_deduplication: number
  visibility_timeout_ms: number
  delay_ms: number
  retention_ms: number
  max_body_bytes: number
  dead_letter_queue: string | null
  max_receive_count: number | null
}

export interface MessageSql {
  sequence: number
  message_id: string
  body: string
  md5_of_body: string | null
  attributes: string | null
  group_id: string | null
  sent_at_ms: number
  visible_at_ms: number
  receive_count: number
  receipt_handle: string | null
  first_received_at_ms: number | null
  source_queue: string | null
}

export const messageColumns = `sequence, message_id, body, md5_of_body, attributes, group_id,
  sent_at_ms, visible_at_ms, receive_count, receipt_handle, first_received_at_ms, source_queue`

// crypto.hash (Node 20.12 and later) hashes without a Hash object: half the cost of createHash.
const oneShotHash = typeof crypto.hash === 'function' ? crypto.hash : null

/** MD5 of a body as SQS reports it: hex of the UTF-8 bytes. */
export function md5Hex(text: string): string {
  if (oneShotHash) return oneShotHash('md5', text, 'hex')
  return createHash('md5').update(text, 'utf8').digest('hex')
}

export function toQueueRow(row: QueueSql): QueueRow {
  return {
    name: row.name,
    fifo: row.fifo === 1,
    contentBasedDeduplication: row.content_based_deduplication === 1,
    visibilityTimeoutMs: row.visibility_timeout_ms,
    delayMs: row.delay_ms,
    retentionMs: row.retention_ms,
    maxBodyBytes: row.max_body_bytes,
    redrive:
      row.dead_letter_queue && row.max_receive_count
        ? { deadLetterQueue: row.dead_letter_queue, maxReceiveCount: row.max_receive_count }
        : null,
  }
}

export function toPeeked(row: MessageSql): PeekedMessage {
  return {
    sequence: row.sequence,
    messageId: row.message_id,
    body: row.body,
    md5OfBody: row.md5_of_body ?? md5Hex(row.body),
    attributes: row.attributes,
    groupId: row.group_id,
    receiveCount: row.receive_count,
    sentAtMs: row.sent_at_ms,
    firstReceivedAtMs: row.first_received_at_ms,
    visibleAtMs: row.visible_at_ms,
    sourceQueue: row.source_queue,
  }
}

/** Reads a queue's attributes inside the writer's transaction; throws for an unknown queue. */
export function prepareQueueLookup(db: Database.Database) {
  const select = db.prepare<[string], QueueSql>('SELECT * FROM queues WHERE name = ?')
  return (queue: string): QueueRow => {
    const row = select.get(queue)
    if (!row) throw new NotFoundError(`Queue "${queue}" does not exist in the store`)
    return toQueueRow(row)
  }
}

/** Statements that create queues and send messages; run on the writer's connection. */
export function prepareQueueWrites(db: Database.Database) {
  const upsertQueue = db.prepare(
    `INSERT INTO queues (name, visibility_timeout_ms, created_at_ms, fifo,
       content_based_deduplication, delay_ms, retention_ms, max_body_bytes, dead_letter_queue,
       max_receive_count)
     VALUES (@name, @visibilityTimeoutMs, @nowMs, @fifo, @contentBasedDeduplication, @delayMs,
       @retentionMs, @maxBodyBytes, @deadLetterQueue, @maxReceiveCount)
     ON CONFLICT (name) DO UPDATE SET visibility_timeout_ms = excluded.visibility_timeout_ms,
       fifo = excluded.fifo, content_based_deduplication = excluded.content_based_deduplication,
       delay_ms = excluded.delay_ms, retention_ms = excluded.retention_ms,
       max_body_bytes = excluded.max_body_bytes, dead_letter_queue = excluded.dead_letter_queue,
       max_receive_count = excluded.max_receive_count`,
  )
  const insertMessage = db.prepare(
    `INSERT INTO messages (queue, message_id, body, md5_of_body, attributes, group_id,
       sent_at_ms, visible_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const findDuplicate = db.prepare<[string, string, number], { message_id: string }>(
    `SELECT message_id FROM queue_deduplication
     WHERE queue = ? AND deduplication_id = ? AND expires_at_ms > ?`,
  )
  const remember = db.prepare(
    `INSERT INTO queue_deduplication (queue, deduplication_id, message_id, expires_at_ms)
     VALUES (?, ?, ?, ?) ON CONFLICT (queue, deduplication_id) DO UPDATE SET
       message_id = excluded.message_id, expires_at_ms = excluded.expires_at_ms`,
  )
  const forget = db.prepare(
    'DELETE FROM queue_deduplication WHERE queue = ? AND expires_at_ms <= ?',
  )
  const lookup = prepareQueueLookup(db)

  function sendOne(queue: QueueRow, message: NewMessage, nowMs: number): SentMessage {
    const md5OfBody = md5Hex(message.body)
    const dedupId = queue.fifo ? message.deduplicationId : null
    const duplicate = dedupId === null ? undefined : findDuplicate.get(queue.name, dedupId, nowMs)
    if (duplicate)
      return { messageId: duplicate.message_id, md5OfBody, duplicate: true, sequenceNumber: null }

    const messageId = randomUUID()
    const { body, attributes, groupId, delayMs } = message
    const result = insertMessage.run(
      queue.name,
      messageId,
      body,
      md5OfBody,
      attributes,
      groupId,
      nowMs,
      nowMs + delayMs,
    )
    if (dedupId !== null)
      remember.run(queue.name, dedupId, messageId, nowMs + deduplicationWindowMs)
    const sequenceNumber = queue.fifo ? String(result.lastInsertRowid).padStart(20, '0') : null
    return { messageId, md5OfBody, duplicate: false, sequenceNumber }
  }

  return {
    ensure(queue: QueueRow, nowMs: number): void {
      upsertQueue.run({
        ...queue,
        nowMs,
        fifo: queue.fifo ? 1 : 0,
        contentBasedDeduplication: queue.contentBasedDeduplication ? 1 : 0,
        deadLetterQueue: queue.redrive?.deadLetterQueue ?? null,
        maxReceiveCount: queue.redrive?.maxReceiveCount ?? null,
      })
    },

    /** A queue's attributes; throws for an unknown queue. */
    lookup,

    send(queue: QueueRow, messages: NewMessage[], nowMs: number): SentMessage[] {
      if (queue.fifo) forget.run(queue.name, nowMs)
      return messages.map((message) => sendOne(queue, message, nowMs))
    },

    /**
     * One message with the queue's default delay and no attributes (consumers' dead letters). On
     * a FIFO queue every such message goes to group "eddy", deduplicated by the body's hash.
     */
    sendBody(queue: QueueRow, body: string, nowMs: number): string {
      const message = {
        body,
        delayMs: queue.delayMs,
        attributes: null,
        groupId: null,
        deduplicationId: null,
      }
      if (queue.fifo) Object.assign(message, { groupId: 'eddy', deduplicationId: md5Hex(body) })
      return sendOne(queue, message, nowMs).messageId
    },
  }
}

/** Statements that read queues without changing them; run on the reader's connection. */
export function prepareQueueReads(db: Database.Database) {
  const names = db.prepare<[], { name: string }>('SELECT name FROM queues ORDER BY name')
  const one = db.prepare<[string], QueueSql>('SELECT * FROM queues WHERE name = ?')
  const depth = db.prepare<{ queue: string; nowMs: number }, QueueDepth>(
    `SELECT COALESCE(SUM(visible_at_ms <= @nowMs), 0) AS visible,
       COALESCE(SUM(visible_at_ms > @nowMs AND receipt_handle IS NOT NULL), 0) AS inFlight,
       COALESCE(SUM(visible_at_ms > @nowMs AND receipt_handle IS NULL), 0) AS delayed,
       MIN(sent_at_ms) AS oldestSentAtMs
     FROM messages WHERE queue = @queue AND sent_at_ms >= @nowMs -
       COALESCE((SELECT retention_ms FROM queues WHERE name = @queue), 345600000)`,
  )
  const peek = db.prepare<
    { queue: string; after: number; limit: number; nowMs: number },
    MessageSql
  >(
    `SELECT ${messageColumns} FROM messages INDEXED BY messages_by_queue
     WHERE queue = @queue AND sequence > @after AND sent_at_ms >= @nowMs -
       COALESCE((SELECT retention_ms FROM queues WHERE name = @queue), 345600000)
     ORDER BY sequence LIMIT @limit`,
  )
  const earliestVisible = db.prepare<[string], { at: number | null }>(
    'SELECT MIN(visible_at_ms) AS at FROM messages WHERE queue = ?',
  )

  return {
    list(): string[] {
      return names.all().map((row) => row.name)
    },
    get(queue: string): QueueRow | undefined {
      const row = one.get(queue)
      return row && toQueueRow(row)
    },
    depth(queue: string, nowMs: number): QueueDepth {
      return (
        depth.get({ queue, nowMs }) ?? { visible: 0, inFlight: 0, delayed: 0, oldestSentAtMs: null }
      )
    },
    peek(queue: string, afterSequence: number, limit: number, nowMs: number): PeekedMessage[] {
      return peek.all({ queue, after: afterSequence, limit, nowMs }).map(toPeeked)
    },
    earliestVisibleAtMs(queue: string): number | null {
      return earliestVisible.get(queue)?.at ?? null
    },
  }
}
