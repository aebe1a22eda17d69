/**
 * R1: read a stream from the oldest record after a restart, through shard iterators, 1,000
 * records a read, against bare ordered reads after a position. Checks that no record is skipped.
 */
import { benchItem, openBench, ratioResult } from '../eddy.ts'
import { reference } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const r1StreamReads: Scenario = async (context) => {
  const raw = await reference('raw:read', context)
  const count = context.quick ? 50_000 : 200_000
  await fill(context, count)

  const eddy = await openBench(context, 'r1')
  const stream = eddy.stream('items')
  const start = performance.now()
  let records = 0
  for (const { shardId } of (await stream.describe()).shards) {
    let iterator = await stream.getShardIterator(shardId, { type: 'TRIM_HORIZON' })
    for (;;) {
      const read = await stream.read(iterator, { limit: 1_000 })
      if (read.records.length === 0) break
      records += read.records.length
      iterator = read.nextIterator
    }
  }
  const value = records / ((performance.now() - start) / 1000)
  await eddy.close()

  const note =
    records === count ? `${records} records, none skipped` : `read ${records} of ${count} records`
  return [
    ratioResult(
      {
        id: 'R1',
        name: 'stream read from oldest after restart',
        value,
        unit: 'records/s',
        goal: 0.25,
        note,
      },
      raw,
    ),
  ]
}

async function fill(context: Parameters<Scenario>[0], count: number): Promise<void> {
  const eddy = await openBench(context, 'r1')
  const items = eddy.table('items')
  for (let n = 0; n < count; n += 1_000) {
    await items.batchWrite(Array.from({ length: 1_000 }, (_, i) => ({ put: benchItem(n + i) })))
  }
  await eddy.close()
}
