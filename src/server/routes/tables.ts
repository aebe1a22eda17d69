/** Routes over tables: item reads and writes, query, scan, batches and transactions. */
import { ValidationError, describe } from '../../errors.ts'
import type { Eddy } from '../../open.ts'
import type { Item } from '../../streams/types.ts'
import type {
  AttributePath,
  BatchWriteRequest,
  ItemUpdate,
  KeyAttribute,
  QueryOptions,
  ScanOptions,
  WriteOptions,
} from '../../tables/index.ts'
import type { TransactWriteRequest } from '../../tables/transaction.ts'
import { HttpError } from '../errors.ts'
import { route } from '../route.ts'
import {
  batchGetBody,
  batchWriteBody,
  deleteItemBody,
  itemKeyQuery,
  putItemBody,
  queryBody,
  scanBody,
  transactWriteBody,
  updateItemBody,
} from '../schemas.ts'

/** The item key named in a query string (`?id=u1&year=2013`), typed as the table declares. */
function keyFromQuery(eddy: Eddy, table: string, query: Record<string, string>): Item {
  const { partitionKey, sortKey } = eddy.table(table).definition
  const key: Item = {}
  for (const attribute of [partitionKey, sortKey ?? null]) {
    if (attribute && query[attribute.name] !== undefined) {
      key[attribute.name] = typed(attribute, query[attribute.name] as string)
    }
  }
  const unknown = Object.keys(query).filter((name) => !(name in key))
  if (unknown.length > 0) {
    throw new ValidationError(
      `Request query field "${unknown[0]}" is not a key attribute of table "${table}": ` +
        `expected ${[partitionKey, sortKey].flatMap((a) => (a ? [`"${a.name}"`] : [])).join(' and ')}`,
    )
  }
  return key
}

function typed(attribute: KeyAttribute, text: string): string | number {
  if (attribute.type !== 'number') return text
  const number = Number(text)
  if (text.trim() === '' || !Number.isFinite(number)) {
    throw new ValidationError(
      `Request query field "${attribute.name}": ${JSON.stringify(text)} is not a number`,
    )
  }
  return number
}

export const tableRoutes = [
  route({
    method: 'get',
    path: '/tables',
    tag: 'tables',
    summary: 'List the declared tables with their keys and streams',
    handle: ({ eddy }) => ({ tables: eddy.tables() }),
  }),
  route({
    method: 'get',
    path: '/tables/:table/items',
    tag: 'tables',
    summary: 'Get an item by its key attributes, given as query parameters (404 when absent)',
    query: itemKeyQuery,
    handle: async ({ eddy, params, query }) => {
      const table = eddy.table(params.table as string)
      const key = keyFromQuery(eddy, table.name, query)
      const item = await table.get(key)
      // A code of its own, so that an absent item is not mistaken for an unknown table.
      if (item === undefined) {
        throw new HttpError(
          404,
          'EDDY_ITEM_NOT_FOUND',
          `Table "${table.name}" has no item ${describe(key)}`,
        )
      }
      return { item }
    },
  }),
  route({
    method: 'put',
    path: '/tables/:table/items',
    tag: 'tables',
    summary: 'Create or replace an item, if its condition holds',
    body: putItemBody,
    handle: ({ eddy, params, body: { item, ...options } }) =>
      eddy.table(params.table as string).put(item, options as WriteOptions),
  }),
  route({
    method: 'patch',
    path: '/tables/:table/items',
    tag: 'tables',
    summary: 'Update an item (set, remove, actions), if its condition holds',
    body: updateItemBody,
    handle: ({ eddy, params, body: { key, update, ...options } }) =>
      eddy.table(params.table as string).update(key, update as ItemUpdate, options as WriteOptions),
  }),
  route({
    method: 'delete',
    path: '/tables/:table/items',
    tag: 'tables',
    summary: 'Delete an item; its key in the body, or as query parameters',
    body: deleteItemBody,
    query: itemKeyQuery,
    handle: ({ eddy, params, body: { key, ...options }, query }) => {
      const name = params.table as string
      if (key && Object.keys(query).length > 0) {
        throw new ValidationError(
          `Delete from table "${name}": the key is given both in the body and in the query ` +
            'string; give it in one place',
        )
      }
      return eddy
        .table(name)
        .delete(key ?? keyFromQuery(eddy, name, query), options as WriteOptions)
    },
  }),
  route({
    method: 'post',
    path: '/tables/:table/query',
    tag: 'tables',
    summary: 'One page of the items of a partition, in sort key order',
    body: queryBody,
    handle: ({ eddy, params, body }) =>
      eddy.table(params.table as string).query(body as QueryOptions),
  }),
  route({
    method: 'post',
    path: '/tables/:table/scan',
    tag: 'tables',
    summary: 'One page of the items of a table (or of one segment)',
    body: scanBody,
    handle: ({ eddy, params, body }) =>
      eddy.table(params.table as string).scan(body as ScanOptions),
  }),
  route({
    method: 'post',
    path: '/tables/:table/batch-get',
    tag: 'tables',
    summary: 'Read up to 100 items by key',
    body: batchGetBody,
    handle: async ({ eddy, params, body }) => ({
      items: await eddy
        .table(params.table as string)
        .batchGet(body.keys, body as { projection?: AttributePath[] }),
    }),
  }),
  route({
    method: 'post',
    path: '/tables/:table/batch-write',
    tag: 'tables',
    summary: 'Put and delete items in one transaction',
    body: batchWriteBody,
    handle: async ({ eddy, params, body }) => ({
      results: await eddy
        .table(params.table as string)
        .batchWrite(body.requests as BatchWriteRequest[]),
    }),
  }),
  route({
    method: 'post',
    path: '/transact-write',
    tag: 'tables',
    summary: 'Up to 100 writes on any tables, all together or not at all',
    body: transactWriteBody,
    handle: async ({ eddy, body }) => ({
      results: await eddy.transactWrite(body.requests as TransactWriteRequest[]),
    }),
  }),
]
