/** `eddy status`: checkpoints, lag and errors per consumer and shard, and queue depths. */
import {
  formatDuration,
  openFromCli,
  printJson,
  printTable,
  type CommonOptions,
} from '../context.ts'

export async function statusCommand(options: CommonOptions): Promise<void> {
  const eddy = await openFromCli(options)
  try {
    const status = await eddy.status()
    if (options.json) return printJson(status)

    printTable(
      ['stream', 'shards', 'records', 'oldest record'],
      status.streams.map((s) => [
        s.stream,
        s.shards,
        s.records,
        formatDuration(s.oldestRecordAgeMs),
      ]),
    )
    printTable(
      [
        'consumer',
        'shard',
        'checkpoint',
        'behind',
        'iterator age',
        'delivered',
        'errors',
        'dead-lettered',
        'last error',
      ],
      status.consumers.map((c) => [
        c.consumer,
        c.shard,
        c.checkpoint,
        c.behind,
        formatDuration(c.iteratorAgeMs),
        c.delivered,
        c.errors,
        c.deadLettered,
        c.lastError,
      ]),
    )
    printTable(
      ['queue', 'depth', 'visible', 'in flight', 'delayed', 'oldest message'],
      status.queues.map((q) => [
        q.queue,
        q.depth,
        q.visible,
        q.inFlight,
        q.delayed,
        formatDuration(q.oldestMessageAgeMs),
      ]),
    )
  } finally {
    await eddy.close()
  }
}
