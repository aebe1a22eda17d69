/**
 * SQL for receiving: take visible messages and hide them, apply retention and the redrive
 * policy on the way, and act on receipt handles (delete, change visibility).
 *
 * A message is `delayed` (never received, visible later), `visible`, or `in flight` (received,
 * hidden until its visibility timeout ends, then visible again). Each receive gives it a new
 * receipt handle, so a handle from before a redelivery no longer matches. A receive that finds a
 * message already received `maxReceiveCount` times moves it to the dead-letter queue instead.
 *
 * A redriven message keeps its message id and its send time (so retention in the dead-letter
 * queue counts from the first send, as on SQS standard queues), and its receive count starts at
 * 0 there, so that the dead-letter queue's own redrive policy counts only its own receives.
 */
import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { HandleOutcome, QueueRow, ReceiveRequest, StoredMessage } from '../index.ts'
import { messageColumns, prepareQueueLookup, toPeeked, type MessageSql } from './queues.ts'

/** Receipt handles name their queue and message, so that a wrong one can be told apart. */
export function makeReceiptHandle(queue: string, messageId: string): string {
  return `${Buffer.from(queue).toString('base64url')}.${messageId}.${randomUUID()}`
}

/** The queue and message id of a receipt handle, or null when it is not one. */
export function parseReceiptHandle(handle: string): { queue: string; messageId: string } | null {
  const parts = typeof handle === 'string' ? handle.split('.') : []
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return null
  return { queue: Buffer.from(parts[0], 'base64url').toString(), messageId: parts[1] }
}

type Params = { queue: string; nowMs: number; max: number; ids: string | null }

/** Statements that receive and settle messages; run on the writer's connection. */
export function prepareQueueReceive(db: Database.Database) {
  const lookup = prepareQueueLookup(db)
  const expire = db.prepare('DELETE FROM messages WHERE queue = ? AND sent_at_ms < ?')
  const groupFree = `NOT EXISTS (SELECT 1 FROM messages AS o WHERE o.queue = m.queue
    AND o.group_id = m.group_id AND o.receipt_handle IS NOT NULL AND o.visible_at_ms > @nowMs)`
  // Standard queues take the earliest visible first, straight off the visibility index.
  const visibleStandard = db.prepare<Params, MessageSql>(
    `SELECT ${messageColumns} FROM messages INDEXED BY messages_by_visibility
     WHERE queue = @queue AND visible_at_ms <= @nowMs
     ORDER BY visible_at_ms, sequence LIMIT @max`,
  )
  // FIFO queues keep sending order, and skip every group that has a message in flight.
  const visibleFifo = db.prepare<Params, MessageSql>(
    `SELECT ${messageColumns} FROM messages AS m INDEXED BY messages_by_queue
     WHERE queue = @queue AND visible_at_ms <= @nowMs AND ${groupFree}
     ORDER BY sequence LIMIT @max`,
  )
  // Receiving given messages (reprocess) goes by message id, whatever the queue's length.
  const visibleById = db.prepare<Params, MessageSql>(
    // CROSS JOIN keeps the id list as the outer loop, so each id is one index lookup.
    `SELECT ${messageColumns.replace(/(\w+)/g, 'm.$1')}
     FROM json_each(@ids) AS ids CROSS JOIN messages AS m ON m.message_id = ids.value
     WHERE m.queue = @queue AND m.visible_at_ms <= @nowMs AND ${groupFree}
     ORDER BY m.sequence LIMIT @max`,
  )
  const hide = db.prepare(
    `UPDATE messages SET visible_at_ms = ?, receive_count = receive_count + 1,
       receipt_handle = ?, first_received_at_ms = COALESCE(first_received_at_ms, ?)
     WHERE sequence = ?`,
  )
  const redrive = db.prepare(
    `UPDATE messages SET queue = ?, source_queue = ?, visible_at_ms = ?, receive_count = 0,
       receipt_handle = NULL, first_received_at_ms = NULL WHERE sequence = ?`,
  )

  function take(queue: QueueRow, row: MessageSql, hideMs: number, nowMs: number): StoredMessage {
    const receiptHandle = makeReceiptHandle(queue.name, row.message_id)
    hide.run(nowMs + hideMs, receiptHandle, nowMs, row.sequence)
    const peeked = toPeeked(row)
    return {
      ...peeked,
      receiptHandle,
      receiveCount: row.receive_count + 1,
      firstReceivedAtMs: row.first_received_at_ms ?? nowMs,
      visibleAtMs: nowMs + hideMs,
    }
  }

  /** Returns the messages taken, and the dead-letter queue when some moved there. */
  function receive(queueName: string, request: ReceiveRequest, nowMs: number) {
    const queue = lookup(queueName)
    expire.run(queue.name, nowMs - queue.retentionMs)
    const select = request.messageIds ? visibleById : queue.fifo ? visibleFifo : visibleStandard
    const ids = request.messageIds ? JSON.stringify(request.messageIds) : null
    const taken: StoredMessage[] = []
    let redrivenTo: string | null = null

    // A row moved to the dead-letter queue frees its place, so look again until none moved.
    for (let moved = true; moved && taken.length < request.max;) {
      moved = false
      const rows = select.all({ queue: queue.name, nowMs, max: request.max - taken.length, ids })
      for (const row of rows) {
        if (queue.redrive && row.receive_count >= queue.redrive.maxReceiveCount) {
          redrive.run(queue.redrive.deadLetterQueue, queue.name, nowMs, row.sequence)
          redrivenTo = queue.redrive.deadLetterQueue
          moved = true
        } else {
          taken.push(take(queue, row, request.visibilityTimeoutMs, nowMs))
        }
      }
    }
    return { messages: taken, redrivenTo }
  }

  return { receive, ...prepareHandleActions(db) }
}

/** Delete and change visibility, both by receipt handle. */
function prepareHandleActions(db: Database.Database) {
  const remove = db.prepare('DELETE FROM messages WHERE queue = ? AND receipt_handle = ?')
  const setVisible = db.prepare(
    `UPDATE messages SET visible_at_ms = ? WHERE queue = ? AND receipt_handle = ?
       AND visible_at_ms > ?`,
  )
  const exists = db.prepare<[string, string], { n: number }>(
    'SELECT 1 AS n FROM messages WHERE queue = ? AND message_id = ?',
  )
  const purge = db.prepare('DELETE FROM messages WHERE queue = ?')

  /** Why a handle matched nothing: another queue's, not a handle, stale or gone. */
  function explain(queue: string, handle: string): HandleOutcome {
    const parsed = parseReceiptHandle(handle)
    if (!parsed) return 'invalid'
    if (parsed.queue !== queue) return 'other-queue'
    return exists.get(queue, parsed.messageId) ? 'stale' : 'gone'
  }

  return {
    delete(queue: string, handle: string): HandleOutcome {
      if (remove.run(queue, handle).changes === 1) return 'ok'
      return explain(queue, handle)
    },

    /** Only an in-flight message can change; one whose timeout ended was received again or not. */
    changeVisibility(queue: string, handle: string, hideMs: number, nowMs: number): HandleOutcome {
      if (setVisible.run(nowMs + hideMs, queue, handle, nowMs).changes === 1) return 'ok'
      const outcome = explain(queue, handle)
      return outcome === 'ok' ? 'stale' : outcome
    },

    purge(queue: string): number {
      return purge.run(queue).changes
    },
  }
}
