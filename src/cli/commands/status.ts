/** `eddy status`: streams, checkpoints, lag and errors per consumer shard, queue depths, alarms. */
import type { ConsumerShardStatus } from '../../observe/status.ts'
import { formatDuration, withEddy, printJson, printTable, type CommonOptions } from '../context.ts'

/** `retrying` says since when, on which record, at which attempt, and when it expires. */
function stateText(shard: ConsumerShardStatus): string {
  if (shard.state !== 'retrying') return shard.state
  const expires =
    shard.expiresInMs === null
      ? ''
      : `, expires in ${formatDuration(Math.max(0, shard.expiresInMs))}`
  return (
    `blocked since ${shard.blockedSince} on ${shard.blockingSequenceNumber} ` +
    `(attempt ${shard.attempt}${expires})`
  )
}

export async function statusCommand(options: CommonOptions): Promise<void> {
  return withEddy(options, async (eddy) => {
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
        'state',
        'checkpoint',
        'behind',
        'iterator age',
        'delivered',
        'errors',
        'dead-lettered',
        'filtered',
        'lost',
        'discarded',
        'last error',
      ],
      status.consumers.map((c) => [
        c.consumer,
        c.shard,
        stateText(c),
        c.checkpoint,
        c.behind,
        formatDuration(c.iteratorAgeMs),
        c.delivered,
        c.errors,
        c.deadLettered,
        c.filteredOut,
        c.expired,
        c.discarded,
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
    if (status.alarms.length === 0) return
    printTable(
      ['alarm', 'state', 'since', 'value', 'reason'],
      status.alarms.map((a) => [a.alarm, a.state, a.changedAt, a.value, a.reason]),
    )
  })
}
