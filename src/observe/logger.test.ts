import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from './logger.ts'

const users = JSON.parse(
  readFileSync(new URL('../../../shared/data/users/dummyjson-users.json', import.meta.url), 'utf8'),
) as Record<string, unknown>[]
const user = users[0] as Record<string, Record<string, string>>

function capture(): { lines: () => string; logger: ReturnType<typeof createLogger> } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk) => (text += String(chunk)))
  return {
    lines: () => text,
    logger: createLogger({ level: 'info', destination: stream, pretty: false }),
  }
}

test('logger - secrets of a user record are redacted at any depth and in errors', () => {
  const { lines, logger } = capture()
  const record = { newImage: { ...user } }
  const error = Object.assign(new Error('boom'), { record })

  logger.info({ record }, 'deep')
  logger.info({ users: [user] }, 'in a list')
  logger.error({ err: error }, 'with an error')
  logger
    .child({ session: { Password: 'hunter2', creditCard: '4111111111111111' } })
    .child({ request: 'r1' })
    .info('grandchild')

  const text = lines()
  for (const secret of [
    user.password,
    user.ssn,
    user.bank?.cardNumber,
    user.bank?.iban,
    'hunter2',
    '4111111111111111',
  ]) {
    assert.ok(secret && !text.includes(String(secret)), `"${secret}" is not in the log`)
  }
  assert.ok(text.includes(String(user.email)), 'ordinary fields stay')
  assert.ok(text.includes('"message":"boom"') && text.includes('[redacted]'))
  assert.equal(text.trim().split('\n').length, 4)
  assert.match(
    text,
    /"session":\{"Password":"\[redacted\]","creditCard":"\[redacted\]"\},"request":"r1"/,
  )
})

test('logger - a grandchild keeps the bindings of its parent, redacted', () => {
  const { lines, logger } = capture()
  const shard = logger.child({ consumer: 'indexer', stream: 'users', shard: 'shard-0001' })
  shard.child({ sequenceNumber: '00000000000000000007', apiKey: 'k-123' }).warn('record failed')

  const line = JSON.parse(lines().trim()) as Record<string, unknown>
  assert.deepEqual(
    [line.consumer, line.stream, line.shard, line.sequenceNumber, line.apiKey],
    ['indexer', 'users', 'shard-0001', '00000000000000000007', '[redacted]'],
  )
})
