import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, ValidationError } from '../errors.ts'
import { validateConfig } from '../config/index.ts'
import { defineConsumer, resolveConsumer, type ConsumerDefinition } from './definition.ts'

const base: ConsumerDefinition = { name: 'orders', stream: 'users', handleRecord: () => {} }

function rejects(options: Partial<ConsumerDefinition>, message: RegExp): void {
  assert.throws(
    () => defineConsumer({ ...base, ...options }),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError)
      assert.match(error.message, /Consumer "orders" option /)
      assert.match(error.message, message)
      return true
    },
  )
}

test('consumer options - ranges follow event source mappings and name the bad value', () => {
  rejects({ batchSize: 0 }, /batchSize.*got 0/)
  rejects({ batchSize: 10_001 }, /batchSize.*10000|batchSize.*10,000/)
  rejects({ batchingWindowSeconds: 301 }, /batchingWindowSeconds.*got 301/)
  rejects({ parallelization: 11 }, /parallelization.*got 11/)
  rejects(
    { maxRetryAttempts: -2 },
    /maxRetryAttempts: use -1 \(no limit\) or 0 to 10,000 retries \(got -2\)/,
  )
  rejects({ maxRecordAgeSeconds: 59 }, /maxRecordAgeSeconds: use -1 .* 60 to 604,800 .*got 59/)
  rejects({ maxRecordAgeSeconds: 604_801 }, /got 604801/)
  rejects({ handlerTimeoutMs: 0 }, /handlerTimeoutMs/)
  rejects({ startingPosition: 'newest' as never }, /startingPosition/)
  rejects({ retryBackoff: { initialMs: 500, maxMs: 100 } }, /initialMs must not exceed maxMs/)
})

test('consumer options - handler shape and knobs that need a mode are checked', () => {
  rejects({ handleBatch: () => {} }, /exactly one of handleRecord, handleBatch and isolation/)
  rejects({ handleRecord: undefined }, /exactly one of handleRecord, handleBatch and isolation/)
  rejects({ bisectBatchOnError: true }, /bisectBatchOnError: applies to batch handlers/)
  rejects(
    { handleRecord: undefined, handleBatch: () => {}, parkFailingKeys: true },
    /parkFailingKeys/,
  )
  rejects({ filters: [{ newImage: { age: { numeric: ['>>', 1] } } }] as never }, /filters/)
})

test('consumer options - defaults follow the failure mode', () => {
  assert.equal(resolveConsumer(base).maxRetryAttempts, -1)
  assert.equal(resolveConsumer({ ...base, onFailure: 'log' }).maxRetryAttempts, 0)
  assert.equal(resolveConsumer({ ...base, onFailure: { deadLetter: 'q' } }).maxRetryAttempts, 0)
  assert.equal(resolveConsumer({ ...base, maxRecordAgeSeconds: 60 }).maxRecordAgeMs, 60_000)
  assert.equal(resolveConsumer(base).maxBatchBytes, 6 * 1024 * 1024)
})

test('consumer options - the config file reports the path of a bad consumer option', () => {
  const config = {
    tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' } }],
    consumers: [{ ...base, maxRetryAttempts: 10_001 }],
  }
  assert.throws(
    () => validateConfig(config),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /consumers\[0\]\.maxRetryAttempts/)
      assert.match(error.message, /got 10001/)
      return true
    },
  )
})
