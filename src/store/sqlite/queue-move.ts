/**
 * SQL for moving messages between queues, as SQS message move tasks do: each visible message is
 * sent to its destination as a new message (new id, receive count 0, retention starting again)
 * and deleted from its queue, in one transaction.
 */
import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { MovedMessage, QueueRow } from '../index.ts'
import { messageColumns, prepareQueueLookup, type MessageSql } from './queues.ts'

/** Statements that move messages; run on the writer's connection. */
export function prepareQueueMove(db: Database.Database) {
  const lookup = prepareQueueLookup(db)
  const visible = db.prepare<[string, number, number, number], MessageSql>(
    `SELECT ${messageColumns} FROM messages INDEXED BY messages_by_queue
     WHERE queue = ? AND sequence > ? AND visible_at_ms <= ? ORDER BY sequence LIMIT ?`,
  )
  const insert = db.prepare(
    `INSERT INTO messages (queue, message_id, body, md5_of_body, attributes, group_id,
       sent_at_ms, visible_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const remove = db.prepare('DELETE FROM messages WHERE sequence = ?')

  function destinationOf(row: MessageSql, to: string | null): QueueRow | string {
    const name = to ?? row.source_queue
    if (!name) return 'it was not redriven from a queue; name a destination with --to'
    try {
      const queue = lookup(name)
      if (queue.fifo && !row.group_id) return `FIFO queue "${name}" needs a message group id`
      return queue
    } catch {
      return `queue "${name}" does not exist`
    }
  }

  return {
    move(
      from: string,
      to: string | null,
      afterSequence: number,
      max: number,
      nowMs: number,
    ): MovedMessage[] {
      lookup(from)
      return visible.all(from, afterSequence, nowMs, max).map((row) => {
        const base = { sequence: row.sequence, messageId: row.message_id }
        const destination = destinationOf(row, to)
        if (typeof destination === 'string') {
          return { ...base, to: to ?? row.source_queue, newMessageId: null, problem: destination }
        }

        const newMessageId = randomUUID()
        const groupId = destination.fifo ? row.group_id : null
        insert.run(
          destination.name,
          newMessageId,
          row.body,
          row.md5_of_body,
          row.attributes,
          groupId,
          nowMs,
          nowMs,
        )
        remove.run(row.sequence)
        return { ...base, to: destination.name, newMessageId, problem: null }
      })
    },
  }
}
