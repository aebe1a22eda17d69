/** The L2 handler, loaded in a worker thread: reports each record's latency to the bench. */
import type { ChangeRecord } from '../../src/streams/types.ts'

const channel = new BroadcastChannel('eddy-bench-latency')

export function handleRecord(record: ChangeRecord): void {
  const sentAtMs = record.newImage?.sentAtMs as number
  channel.postMessage(performance.timeOrigin + performance.now() - sentAtMs)
}
