import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../errors.ts'
import type { Eddy } from '../open.ts'
import { serve, serverOptionsFrom } from './index.ts'
import { checkBind, isLoopback, resolveServerOptions } from './options.ts'

test('options - loopback addresses are told apart from the others', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
    assert.equal(isLoopback(host), true, host)
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.com', '128.0.0.1']) {
    assert.equal(isLoopback(host), false, host)
  }
})

test('options - defaults are 127.0.0.1, port 4680 and 1 MiB bodies', () => {
  assert.deepEqual(resolveServerOptions(), {
    host: '127.0.0.1',
    port: 4680,
    token: null,
    bodyLimitBytes: 1_048_576,
    debug: false,
  })
})

test('options - a non-loopback bind without a token is refused before listening', async () => {
  assert.throws(() => checkBind(resolveServerOptions({ host: '0.0.0.0' })), {
    name: 'ConfigError',
    message: /Refusing to serve HTTP on 0\.0\.0\.0 without an access token/,
  })
  // The refusal comes before any socket is opened, so the store is never touched.
  await assert.rejects(serve({} as Eddy, { host: '0.0.0.0', port: 0 }), ConfigError)
  checkBind(resolveServerOptions({ host: '0.0.0.0', token: 'a-long-enough-token' }))
})

test('options - a short token is refused without quoting it', () => {
  assert.throws(
    () => resolveServerOptions({ token: 'short' }),
    (error: Error) => {
      assert.match(error.message, /Server option token: expected at least 16 characters/)
      assert.doesNotMatch(error.message, /short/)
      return true
    },
  )
})

test('options - flags win over the environment, which wins over the config', () => {
  const config = { host: '127.0.0.2', port: 9000, token: 'config-token-0123456' }
  const env = { EDDY_SERVER_TOKEN: 'env-token-0123456789' }
  assert.deepEqual(serverOptionsFrom(config, { port: 0, host: undefined }, env), {
    host: '127.0.0.2',
    port: 0,
    token: 'env-token-0123456789',
  })
  assert.equal(serverOptionsFrom({ enabled: false }, {}, env), null)
})
