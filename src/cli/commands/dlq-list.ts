/** `eddy dlq list`: the dead-letter queues, what feeds them, their depth and oldest message. */
import { formatDuration, withEddy, printJson, printTable, type CommonOptions } from '../context.ts'

export async function dlqListCommand(options: CommonOptions): Promise<void> {
  return withEddy(options, async (eddy) => {
    const queues = await eddy.deadLetterQueues()
    if (options.json) return printJson({ queues })

    printTable(
      ['queue', 'fed by', 'visible', 'in flight', 'delayed', 'oldest'],
      queues.map((q) => [
        q.queue,
        q.sources.join(', '),
        q.visible,
        q.inFlight,
        q.delayed,
        formatDuration(
          q.oldestMessageAgeSeconds === null ? null : q.oldestMessageAgeSeconds * 1000,
        ),
      ]),
    )
  })
}
