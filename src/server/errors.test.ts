import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  ConditionalCheckFailedError,
  ConflictError,
  NotFoundError,
  StoppedError,
  ValidationError,
} from '../errors.ts'
import { HttpError, toErrorResponse } from './errors.ts'

test('errors - each error class maps to its status and keeps its code', () => {
  const cases: [unknown, number, string][] = [
    [new ValidationError('bad'), 400, 'EDDY_VALIDATION'],
    [new NotFoundError('gone'), 404, 'EDDY_NOT_FOUND'],
    [new ConditionalCheckFailedError('no'), 409, 'EDDY_CONDITION_FAILED'],
    [new ConflictError('clash'), 409, 'EDDY_CONFLICT'],
    [new StoppedError('closing'), 503, 'EDDY_STOPPED'],
    [new HttpError(413, 'EDDY_BODY_TOO_LARGE', 'big'), 413, 'EDDY_BODY_TOO_LARGE'],
  ]
  for (const [error, status, code] of cases) {
    const response = toErrorResponse(error, false)
    assert.equal(response.status, status, code)
    assert.equal(response.body.error.code, code)
  }
})

test('errors - internals are hidden unless debug is on', () => {
  const error = new Error('SQLITE_CORRUPT at /secret/path')
  const hidden = toErrorResponse(error, false)
  assert.equal(hidden.status, 500)
  assert.doesNotMatch(hidden.body.error.message, /secret/)

  const shown = toErrorResponse(error, true)
  assert.match(shown.body.error.message, /secret/)
  assert.ok(shown.body.error.details?.stack)
})

test('errors - a failed transaction condition names its request', () => {
  const error = new ConditionalCheckFailedError('no', { index: 2 })
  assert.deepEqual(toErrorResponse(error, false).body.error.details, { index: 2, item: undefined })
})
