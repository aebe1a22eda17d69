/**
 * `eddy dlq show QUEUE`: the messages of a dead-letter queue, read without receiving them (no
 * receive count grows, nothing is hidden), decoded when they are Eddy dead letters.
 */
import { parseDeadLetter } from '../../queues/dead-letter.ts'
import type { PeekedMessage } from '../../store/index.ts'
import { formatDuration, withEddy, printJson, printTable, type CommonOptions } from '../context.ts'

export interface DlqShowOptions extends CommonOptions {
  limit?: number
}

/** One message as `show` prints it: the dead letter's fields, or the reason it is not one. */
function describeMessage(message: PeekedMessage, nowMs: number) {
  const parsed = parseDeadLetter(message.body)
  const common = {
    messageId: message.messageId,
    receiveCount: message.receiveCount,
    ageMs: nowMs - message.sentAtMs,
    state:
      message.visibleAtMs <= nowMs
        ? 'visible'
        : message.firstReceivedAtMs
          ? 'in flight'
          : 'delayed',
    sourceQueue: message.sourceQueue,
  }
  if ('problem' in parsed)
    return { ...common, deadLetter: null, problem: parsed.problem, body: message.body }
  return { ...common, deadLetter: parsed.deadLetter, problem: null, body: null }
}

/**
 * The error of a dead letter; for a message a redrive policy moved here, where it came from and
 * the start of its body; otherwise why it is not a dead letter.
 */
function describeContent(m: ReturnType<typeof describeMessage>): string {
  if (m.deadLetter) return `${m.deadLetter.error.name}: ${m.deadLetter.error.message}`.slice(0, 60)
  if (m.sourceQueue) return `redriven from ${m.sourceQueue}: ${String(m.body).slice(0, 40)}`
  return `not a dead letter: ${m.problem}`
}

export async function dlqShowCommand(queue: string, options: DlqShowOptions): Promise<void> {
  return withEddy(options, async (eddy) => {
    const nowMs = Date.now()
    const limit = options.limit ?? 20
    // One more than shown tells whether the queue holds more than the limit.
    const peeked = await eddy.queue(queue).peek({ limit: limit + 1 })
    const messages = peeked.slice(0, limit).map((m) => describeMessage(m, nowMs))
    const more = peeked.length > limit
    if (options.json) return printJson({ queue, messages, more })

    printTable(
      ['message', 'consumer', 'record', 'keys', 'error', 'attempts', 'receives', 'age', 'state'],
      messages.map((m) => {
        const letter = m.deadLetter
        const record = letter
          ? `${letter.origin.stream}/${letter.origin.shard}/${letter.origin.sequenceNumber}`
          : null
        return [
          m.messageId,
          letter?.origin.consumer ?? null,
          record,
          letter ? JSON.stringify(letter.record.keys) : null,
          describeContent(m),
          letter?.attempts ?? null,
          m.receiveCount,
          formatDuration(m.ageMs),
          m.state,
        ]
      }),
    )
    if (more) {
      process.stdout.write(`showing the first ${limit} messages; pass --limit to see more\n`)
    }
  })
}
