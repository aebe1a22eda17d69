import assert from 'node:assert/strict'
import { get } from 'node:http'
import { after, before, describe, test } from 'node:test'
import type { ChangeRecord, Eddy, EddyConfig } from '../../src/index.ts'
import { serve, type ServerHandle } from '../../src/server/index.ts'
import { openTemp } from '../helpers.ts'

const token = 'test-token-0123456789'
const state = { failing: true }

const config: EddyConfig = {
  tables: [
    { name: 'users', partitionKey: { name: 'id', type: 'string' }, stream: { shards: 1 } },
    {
      name: 'scores',
      partitionKey: { name: 'player', type: 'string' },
      sortKey: { name: 'game', type: 'number' },
    },
  ],
  streams: [{ name: 'events', shards: 1 }],
  queues: [{ name: 'jobs' }],
  consumers: [
    {
      name: 'mailer',
      stream: 'users',
      onFailure: { deadLetter: 'mailer-dlq' },
      handleRecord: (record: ChangeRecord) => {
        if (state.failing && record.newImage?.poison) throw new Error('poisoned user')
      },
    },
  ],
}

async function call(server: ServerHandle, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  return { status: response.status, body: type.includes('json') ? JSON.parse(text) : text }
}

describe('server', () => {
  let eddy: Eddy
  let server: ServerHandle

  before(async () => {
    eddy = await openTemp(config)
    await eddy.start()
    server = await serve(eddy, { port: 0, bodyLimitBytes: 4096 })
  })
  after(async () => {
    await server.close()
    await eddy.close()
  })

  test('server - a key given both in the query and the body is refused; __proto__ stays data', async () => {
    await call(server, 'PUT', '/tables/users/items', { item: { id: 'keep' } })
    await call(server, 'PUT', '/tables/users/items', { item: { id: 'other' } })

    const both = await call(server, 'DELETE', '/tables/users/items?id=keep', {
      key: { id: 'other' },
    })
    assert.equal(both.status, 400)
    assert.match(both.body.error.message, /the key is given both in the body and in the query/)
    assert.equal((await call(server, 'GET', '/tables/users/items?id=other')).status, 200)

    const proto = await call(
      server,
      'PUT',
      '/tables/users/items',
      '{"item":{"id":"p","__proto__":{"x":1}}}',
    )
    assert.equal(proto.status, 200)
    const stored = await eddy.table('users').get({ id: 'p' })
    assert.deepEqual(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value, { x: 1 })
  })

  test('server - binds 127.0.0.1 on the port it picked', () => {
    assert.equal(server.host, '127.0.0.1')
    assert.ok(server.port > 0)
  })

  test('server - puts, gets and queries items', async () => {
    const put = await call(server, 'PUT', '/tables/scores/items', {
      item: { player: 'ada', game: 1, points: 10 },
    })
    assert.equal(put.status, 200)
    assert.equal(put.body.eventName, 'INSERT')
    await call(server, 'PUT', '/tables/scores/items', { item: { player: 'ada', game: 2 } })

    const got = await call(server, 'GET', '/tables/scores/items?player=ada&game=1')
    assert.deepEqual(got.body, { item: { player: 'ada', game: 1, points: 10 } })

    const page = await call(server, 'POST', '/tables/scores/query', {
      partitionKey: 'ada',
      forward: false,
    })
    assert.deepEqual(
      page.body.items.map((item: { game: number }) => item.game),
      [2, 1],
    )
  })

  test('server - updates and deletes an item, and a failed condition is 409', async () => {
    await call(server, 'PUT', '/tables/users/items', { item: { id: 'u1', visits: 0 } })
    const updated = await call(server, 'PATCH', '/tables/users/items', {
      key: { id: 'u1' },
      update: { actions: [{ add: 'visits', value: 1 }] },
      returnValues: 'ALL_NEW',
    })
    assert.deepEqual(updated.body.attributes, { id: 'u1', visits: 1 })

    const refused = await call(server, 'PUT', '/tables/users/items', {
      item: { id: 'u1' },
      condition: { notExists: 'id' },
    })
    assert.equal(refused.status, 409)
    assert.equal(refused.body.error.code, 'EDDY_CONDITION_FAILED')

    const deleted = await call(server, 'DELETE', '/tables/users/items?id=u1')
    assert.equal(deleted.body.eventName, 'REMOVE')
    const gone = await call(server, 'GET', '/tables/users/items?id=u1')
    assert.equal(gone.status, 404)
    assert.equal(gone.body.error.code, 'EDDY_ITEM_NOT_FOUND')
  })

  test('server - reads stream records through an iterator', async () => {
    const published = await call(server, 'POST', '/streams/events/records', {
      records: [{ partitionKey: 'k', data: { n: 1 } }],
    })
    assert.equal(published.status, 201)

    const description = await call(server, 'GET', '/streams/events')
    const shardId = description.body.shards[0].shardId
    const iterator = await call(server, 'POST', '/streams/events/iterators', {
      shardId,
      type: 'TRIM_HORIZON',
    })
    const read = await call(
      server,
      'GET',
      `/streams/events/records?iterator=${encodeURIComponent(iterator.body.iterator)}&limit=10`,
    )
    assert.equal(read.status, 200)
    assert.deepEqual(
      read.body.records.map((r: ChangeRecord) => r.data),
      [{ n: 1 }],
    )
    assert.equal(typeof read.body.nextIterator, 'string')
  })

  test('server - sends, receives and deletes a message', async () => {
    const sent = await call(server, 'POST', '/queues/jobs/messages', { body: 'hello' })
    assert.equal(sent.status, 201)
    const received = await call(server, 'POST', '/queues/jobs/receive', { maxMessages: 1 })
    const [message] = received.body.messages
    assert.equal(message.body, 'hello')

    const handle = encodeURIComponent(message.receiptHandle)
    const deleted = await call(server, 'DELETE', `/queues/jobs/messages/${handle}`)
    assert.equal(deleted.status, 204)
    const attributes = await call(server, 'GET', '/queues/jobs')
    assert.deepEqual([attributes.body.visible, attributes.body.inFlight], [0, 0])
  })

  test('server - reprocesses a dead letter and shows status and metrics', async () => {
    await call(server, 'PUT', '/tables/users/items', { item: { id: 'bad', poison: true } })
    await eddy.waitUntilCaughtUp(10_000)
    const dlq = await call(server, 'GET', '/queues/mailer-dlq')
    assert.equal(dlq.body.visible, 1)

    state.failing = false
    const run = await call(server, 'POST', '/queues/mailer-dlq/reprocess', {})
    assert.equal(run.body.reprocessed, 1)

    const status = await call(server, 'GET', '/status')
    assert.equal(status.body.consumers[0].consumer, 'mailer')
    const metrics = await call(server, 'GET', '/metrics')
    assert.match(metrics.body, /eddy_consumer_invocations_total\{consumer="mailer"/)
  })

  test('server - /openapi.json lists the routes with their schemas', async () => {
    const { body } = await call(server, 'GET', '/openapi.json')
    assert.equal(body.openapi, '3.1.0')
    for (const path of ['/tables/{table}/items', '/queues/{queue}/reprocess', '/metrics']) {
      assert.ok(body.paths[path], `${path} is listed`)
    }
    const put = body.paths['/tables/{table}/items'].put
    assert.deepEqual(put.requestBody.content['application/json'].schema.required, ['item'])
  })

  test('server - refuses malformed JSON with 400', async () => {
    const { status, body } = await call(server, 'PUT', '/tables/users/items', '{"item": ')
    assert.equal(status, 400)
    assert.equal(body.error.code, 'EDDY_MALFORMED_JSON')
    assert.match(body.error.message, /not valid JSON/)
  })

  test('server - refuses a body over the limit with 413', async () => {
    const item = { id: 'big', blob: 'x'.repeat(5000) }
    const { status, body } = await call(server, 'PUT', '/tables/users/items', { item })
    assert.equal(status, 413)
    assert.equal(body.error.code, 'EDDY_BODY_TOO_LARGE')
  })

  test('server - a connection goes on serving after a large body is refused', async () => {
    const item = { id: 'huge', blob: 'x'.repeat(2 * 1024 * 1024) }
    const refused = await call(server, 'PUT', '/tables/users/items', { item })
    assert.equal(refused.status, 413)
    assert.equal((await call(server, 'GET', '/health')).status, 200)
  })

  test('server - refuses a non-loopback Host name without a token (DNS rebinding)', async () => {
    // fetch does not let a caller set Host, so this request goes through node:http.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = get(`${server.url}/health`, { headers: { host: 'rebound.example' } })
      request.on('response', (response) => resolve(response.resume().statusCode))
      request.on('error', reject)
    })
    assert.equal(status, 403)
  })

  test('server - a bad field is 400 naming the field', async () => {
    const missing = await call(server, 'POST', '/queues/jobs/messages', { body: 42 })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.error.code, 'EDDY_BAD_REQUEST')
    assert.match(missing.body.error.message, /field "body"/)

    const unknown = await call(server, 'POST', '/queues/jobs/receive', { maxMesages: 2 })
    assert.match(unknown.body.error.message, /field "maxMesages" is not known/)

    const core = await call(server, 'PUT', '/tables/users/items', { item: { name: 'no id' } })
    assert.equal(core.status, 400)
    assert.equal(core.body.error.code, 'EDDY_VALIDATION')
    assert.match(core.body.error.message, /id/)
  })

  test('server - an unknown table is 404 in the envelope', async () => {
    const { status, body } = await call(server, 'GET', '/tables/nope/items?id=1')
    assert.equal(status, 404)
    assert.equal(body.error.code, 'EDDY_NOT_FOUND')
    assert.match(body.error.message, /Table "nope"/)
  })

  test('server - an unknown route is 404 in the envelope', async () => {
    const { status, body } = await call(server, 'GET', '/nowhere')
    assert.equal(status, 404)
    assert.equal(body.error.code, 'EDDY_ROUTE_NOT_FOUND')
  })
})

describe('server with a token', () => {
  let eddy: Eddy
  let server: ServerHandle

  before(async () => {
    eddy = await openTemp(config)
    server = await serve(eddy, { port: 0, token })
  })
  after(async () => {
    await server.close()
    await eddy.close()
  })

  test('server - refuses a request without a token with 401', async () => {
    const response = await fetch(`${server.url}/status`)
    assert.equal(response.status, 401)
    const body = (await response.json()) as { error: { code: string } }
    assert.equal(body.error.code, 'EDDY_UNAUTHORIZED')
  })

  test('server - refuses a wrong token with 401', async () => {
    const response = await fetch(`${server.url}/status`, {
      headers: { authorization: 'Bearer test-token-0123456780' },
    })
    assert.equal(response.status, 401)
  })

  test('server - answers the right token', async () => {
    const response = await fetch(`${server.url}/status`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.status, 200)
  })
})
