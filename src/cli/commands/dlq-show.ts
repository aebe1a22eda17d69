/**
 * `eddy dlq show QUEUE`: the messages of a dead-letter queue, read without receiving them (no
 * receive count grows, nothing is hidden), decoded when they are Eddy dead letters.
 */
import { parseDeadLetter } from '../../queues/dead-letter.ts'
import type { PeekedMessage } from '../../store/index.ts'
import {
  formatDuration,
  openFromCli,
  printJson,
  printTable,
  type CommonOptions,
} from '../context.ts'

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

export async function dlqShowCommand(queue: string, options: DlqShowOptions): Promise<void> {
  const eddy = await openFromCli(options)
  try {
    const nowMs = Date.now()
    const messages = (await eddy.queue(queue).peek({ limit: options.limit ?? 20 })).map((m) =>
      describeMessage(m, nowMs),
    )
    if (options.json) return printJson({ queue, messages })

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
          letter
            ? `${letter.error.name}: ${letter.error.message}`.slice(0, 60)
            : `not a dead letter: ${m.problem}`,
          letter?.attempts ?? null,
          m.receiveCount,
          formatDuration(m.ageMs),
          m.state,
        ]
      }),
    )
  } finally {
    await eddy.close()
  }
}
