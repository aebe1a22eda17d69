import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '../observe/logger.ts'
import type { Eddy } from '../open.ts'
import { createServer } from './app.ts'

// The guard answers before any route reaches the core, so a logger is all of Eddy it needs.
const eddy = { log: createLogger({ level: 'silent' }) } as unknown as Eddy
const token = 'unit-token-0123456789'

async function status(app: ReturnType<typeof createServer>, headers: Record<string, string>) {
  const response = await app.request('/health', { headers })
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } }
}

test('security - a token is required on every request when one is set', async () => {
  const app = createServer(eddy, { token })
  const missing = await status(app, { host: '10.0.0.5:4680' })
  assert.equal(missing.status, 401)
  assert.equal(missing.body.error?.code, 'EDDY_UNAUTHORIZED')

  const wrong = await status(app, { host: '10.0.0.5:4680', authorization: 'Bearer nope' })
  assert.equal(wrong.status, 401)
  const basic = await status(app, { host: '10.0.0.5:4680', authorization: `Basic ${token}` })
  assert.equal(basic.status, 401)

  const right = await status(app, { host: '10.0.0.5:4680', authorization: `Bearer ${token}` })
  assert.equal(right.status, 200)
})

test('security - without a token only loopback Host names are answered', async () => {
  const app = createServer(eddy)
  for (const host of ['127.0.0.1:4680', 'localhost:4680', '[::1]:4680', 'localhost']) {
    assert.equal((await status(app, { host })).status, 200, host)
  }
  const rebound = await status(app, { host: 'attacker.example:4680' })
  assert.equal(rebound.status, 403)
  assert.equal(rebound.body.error?.code, 'EDDY_FORBIDDEN')
})

test('security - a request from another site is refused', async () => {
  const app = createServer(eddy)
  const cross = await status(app, { host: '127.0.0.1:4680', origin: 'https://evil.example' })
  assert.equal(cross.status, 403)
  const same = await status(app, { host: '127.0.0.1:4680', origin: 'http://127.0.0.1:4680' })
  assert.equal(same.status, 200)
})
