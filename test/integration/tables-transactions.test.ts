import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConditionalCheckFailedError, ValidationError } from '../../src/errors.ts'
import { allRecords, openTemp } from './helpers.ts'

const config = {
  tables: [
    { name: 'accounts', partitionKey: { name: 'id', type: 'string' as const } },
    { name: 'ledger', partitionKey: { name: 'id', type: 'string' as const } },
  ],
}

async function seeded(t: Parameters<typeof openTemp>[0]) {
  const eddy = await openTemp(t, config)
  await eddy
    .table('accounts')
    .batchWrite([{ put: { id: 'a', balance: 100 } }, { put: { id: 'b', balance: 0 } }])
  return eddy
}

const enough = { compare: { path: 'balance' }, op: '>=', to: { value: 50 } } as const

test('transactions - writes every request across tables together', async (t) => {
  const eddy = await seeded(t)

  const results = await eddy.transactWrite([
    {
      update: {
        table: 'accounts',
        key: { id: 'a' },
        update: { actions: [{ add: 'balance', value: -50 }] },
        condition: enough,
      },
    },
    {
      update: {
        table: 'accounts',
        key: { id: 'b' },
        update: { actions: [{ add: 'balance', value: 50 }] },
      },
    },
    { put: { table: 'ledger', item: { id: 't1', amount: 50 }, condition: { notExists: 'id' } } },
    { conditionCheck: { table: 'ledger', key: { id: 't0' }, condition: { notExists: 'id' } } },
  ])

  assert.deepEqual(
    results.map((r) => r.eventName),
    ['MODIFY', 'MODIFY', 'INSERT', null],
  )
  assert.equal((await eddy.table('accounts').get({ id: 'a' }))?.balance, 50)
  assert.equal((await eddy.table('accounts').get({ id: 'b' }))?.balance, 50)
  assert.equal((await allRecords(eddy, 'ledger')).length, 1)
})

test('transactions - one failed condition writes nothing and names its request', async (t) => {
  const eddy = await seeded(t)
  const before = (await allRecords(eddy, 'accounts')).length

  const error = await eddy
    .transactWrite([
      {
        update: {
          table: 'accounts',
          key: { id: 'b' },
          update: { actions: [{ add: 'balance', value: 500 }] },
        },
      },
      { delete: { table: 'ledger', key: { id: 'nothing' } } },
      {
        update: {
          table: 'accounts',
          key: { id: 'a' },
          update: { actions: [{ add: 'balance', value: -500 }] },
          condition: { compare: { path: 'balance' }, op: '>=', to: { value: 500 } },
          returnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ])
    .catch((e: unknown) => e)

  assert.ok(error instanceof ConditionalCheckFailedError)
  assert.equal(error.index, 2)
  assert.deepEqual(error.item, { id: 'a', balance: 100 })
  assert.equal((await eddy.table('accounts').get({ id: 'b' }))?.balance, 0)
  assert.equal((await allRecords(eddy, 'accounts')).length, before)
})

test('transactions - a bad request refuses the whole transaction before writing', async (t) => {
  const eddy = await seeded(t)

  await assert.rejects(
    eddy.transactWrite([
      { put: { table: 'ledger', item: { id: 'ok' } } },
      { put: { table: 'ledger', item: { id: '' } } },
    ]),
    (error: unknown) =>
      error instanceof ValidationError &&
      /request 1: Key attribute "id" of table "ledger"/.test(error.message),
  )
  await assert.rejects(
    eddy.transactWrite([{ put: { table: 'nope', item: { id: 'x' } } }]),
    /Table "nope" is not declared/,
  )
  assert.equal(await eddy.table('ledger').get({ id: 'ok' }), undefined)
})

test('transactions - two requests on one item and more than 100 requests are refused', async (t) => {
  const eddy = await seeded(t)

  await assert.rejects(
    eddy.transactWrite([
      { put: { table: 'ledger', item: { id: 'x' } } },
      { delete: { table: 'ledger', key: { id: 'x' } } },
    ]),
    /requests 0 and 1 both touch table "ledger"/,
  )
  const many = Array.from({ length: 101 }, (_, i) => ({
    put: { table: 'ledger', item: { id: `t${i}` } },
  }))
  await assert.rejects(eddy.transactWrite(many), /1 to 100 requests/)
  assert.equal((await eddy.transactWrite(many.slice(0, 100))).length, 100)
})

test('batch write - one bad element writes nothing', async (t) => {
  const eddy = await seeded(t)
  const ledger = eddy.table('ledger')

  await assert.rejects(
    ledger.batchWrite([{ put: { id: 'one' } }, { put: { id: 'two', bad: () => 1 } as never }]),
    /request 1: Item for table "ledger" is not valid: item.bad is a function/,
  )
  assert.equal(await ledger.get({ id: 'one' }), undefined)
})
