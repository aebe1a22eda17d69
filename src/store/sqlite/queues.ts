/** SQL for queues and their messages. */
import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { QueueDepth, StoredMessage } from '../index.ts'

interface MessageRow {
  sequence: number
  message_id: string
  body: string
  sent_at_ms: number
  receive_count: number
  first_received_at_ms: number | null
}

/** Statements that change queues; run on the writer's connection. */
export function prepareQueueWrites(db: Database.Database) {
  const insertQueue = db.prepare(
    `INSERT INTO queues (name, visibility_timeout_ms, created_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET visibility_timeout_ms = excluded.visibility_timeout_ms`,
  )
  const insertMessage = db.prepare(
    `INSERT INTO messages (queue, message_id, body, sent_at_ms, visible_at_ms)
     VALUES (?, ?, ?, ?, ?)`,
  )
  const visible = db.prepare<[string, number, number], MessageRow>(
    `SELECT sequence, message_id, body, sent_at_ms, receive_count, first_received_at_ms
     FROM messages WHERE queue = ? AND visible_at_ms <= ? ORDER BY sequence LIMIT ?`,
  )
  const hide = db.prepare(
    `UPDATE messages SET visible_at_ms = ?, receive_count = receive_count + 1,
       receipt_handle = ?, first_received_at_ms = COALESCE(first_received_at_ms, ?)
     WHERE sequence = ?`,
  )
  const remove = db.prepare('DELETE FROM messages WHERE queue = ? AND receipt_handle = ?')

  return {
    ensure(queue: string, visibilityTimeoutMs: number, nowMs: number): void {
      insertQueue.run(queue, visibilityTimeoutMs, nowMs)
    },

    send(queue: string, body: string, nowMs: number): string {
      const messageId = randomUUID()
      insertMessage.run(queue, messageId, body, nowMs, nowMs)
      return messageId
    },

    /** Takes visible messages, oldest first, and hides them for the visibility timeout. */
    receive(
      queue: string,
      max: number,
      visibilityTimeoutMs: number,
      nowMs: number,
    ): StoredMessage[] {
      return visible.all(queue, nowMs, max).map((row) => {
        const receiptHandle = randomUUID()
        hide.run(nowMs + visibilityTimeoutMs, receiptHandle, nowMs, row.sequence)
        return {
          messageId: row.message_id,
          body: row.body,
          receiptHandle,
          receiveCount: row.receive_count + 1,
          sentAtMs: row.sent_at_ms,
          firstReceivedAtMs: row.first_received_at_ms ?? nowMs,
        }
      })
    },

    /** A receipt handle is replaced at every receive, so a stale one deletes nothing. */
    delete(queue: string, receiptHandle: string): boolean {
      return remove.run(queue, receiptHandle).changes === 1
    },
  }
}

/** Statements that read queues; run on the reader's connection. */
export function prepareQueueReads(db: Database.Database) {
  const names = db.prepare<[], { name: string }>('SELECT name FROM queues ORDER BY name')
  const depth = db.prepare<[number, number, string], { visible: number; inFlight: number }>(
    `SELECT COALESCE(SUM(visible_at_ms <= ?), 0) AS visible,
            COALESCE(SUM(visible_at_ms > ?), 0) AS inFlight
     FROM messages WHERE queue = ?`,
  )

  return {
    list(): string[] {
      return names.all().map((row) => row.name)
    },
    depth(queue: string, nowMs: number): QueueDepth {
      return depth.get(nowMs, nowMs, queue) ?? { visible: 0, inFlight: 0 }
    },
  }
}
