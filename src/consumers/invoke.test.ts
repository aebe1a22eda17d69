import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from '../observe/logger.ts'
import type { ChangeRecord } from '../streams/types.ts'
import { recordLogger } from './invoke.ts'

test('record logger - a line names stream, shard, sequence number and consumer once each', () => {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk) => (text += String(chunk)))
  const log = createLogger({ level: 'info', destination: stream, pretty: false })
  const shardLog = log.child({ consumer: 'indexer', stream: 'users', shard: 'shard-0001' })
  const record = { stream: 'users', shard: 'shard-0001', sequenceNumber: '00000000000000000042' }

  recordLogger(shardLog, 'indexer', record as ChangeRecord).info('handled')

  for (const key of ['consumer', 'stream', 'shard', 'sequenceNumber']) {
    assert.equal(text.split(`"${key}":`).length - 1, 1, `${key} appears once in ${text}`)
  }
})
