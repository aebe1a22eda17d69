import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ValidationError } from '../../errors.ts'
import { formatPath, getAt, parsePath, project, removeAt, setAt } from './paths.ts'

test('paths - text and list forms parse to the same segments', () => {
  assert.deepEqual(parsePath('a.b[2][0].c', 'here'), ['a', 'b', 2, 0, 'c'])
  assert.deepEqual(parsePath(['a.b', 1], 'here'), ['a.b', 1])
  assert.equal(formatPath(['a', 'b', 2, 'c']), 'a.b[2].c')
})

test('paths - bad paths name where they came from', () => {
  for (const bad of ['', 'a..b', 'a[x]', '[0]', 7, [], [0, 'a'], ['a', -1]]) {
    assert.throws(
      () => parsePath(bad, 'Update of table "t"'),
      (e: unknown) => e instanceof ValidationError && /^Update of table "t": path/.test(e.message),
    )
  }
})

test('paths - set and remove follow DynamoDB: parent must exist, index past the end appends', () => {
  const item: Record<string, unknown> = { list: [1, 2], map: {} }

  assert.equal(setAt(item, ['list', 5], 3), null)
  assert.equal(setAt(item, ['map', 'x'], 1), null)
  assert.equal(setAt(item, ['nothing', 'x'], 1), 'its parent does not exist')
  assert.equal(setAt(item, ['map', 0], 1), 'its parent is not a list')
  assert.equal(removeAt(item, ['list', 0]), null)
  assert.deepEqual(item, { list: [2, 3], map: { x: 1 } })
})

test('paths - __proto__ is set as an own property', () => {
  const item: Record<string, unknown> = {}
  setAt(item, ['__proto__'], { polluted: true })
  assert.equal(Object.getPrototypeOf(item), Object.prototype)
  assert.deepEqual(getAt(item, ['__proto__']), { polluted: true })
})

test('paths - projections keep map shape and pack list elements', () => {
  const item = { a: { b: 1, c: 2 }, list: ['x', 'y', 'z'], n: 5 }
  assert.deepEqual(project(item, [['a', 'c'], ['list', 2], ['list', 0], ['missing']]), {
    a: { c: 2 },
    list: ['z', 'x'],
  })
})
