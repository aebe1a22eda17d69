/** Routes over streams: list, describe, shard iterators, reads and publishing. */
import type { IteratorPosition } from '../../streams/reader.ts'
import { route } from '../route.ts'
import { iteratorBody, publishBody, readRecordsQuery } from '../schemas.ts'

export const streamRoutes = [
  route({
    method: 'get',
    path: '/streams',
    tag: 'streams',
    summary: 'List the streams with their shard and record counts',
    handle: async ({ eddy }) => ({ streams: (await eddy.status()).streams }),
  }),
  route({
    method: 'get',
    path: '/streams/:stream',
    tag: 'streams',
    summary: 'Describe a stream: view type, retention, and each shard',
    handle: ({ eddy, params }) => eddy.stream(params.stream as string).describe(),
  }),
  route({
    method: 'post',
    path: '/streams/:stream/iterators',
    tag: 'streams',
    summary: 'Get a shard iterator to read from',
    body: iteratorBody,
    status: 201,
    handle: async ({ eddy, params, body: { shardId, ...position } }) => ({
      iterator: await eddy
        .stream(params.stream as string)
        .getShardIterator(shardId, position as IteratorPosition),
    }),
  }),
  route({
    method: 'get',
    path: '/streams/:stream/records',
    tag: 'streams',
    summary: 'Read records at an iterator; the answer carries the next iterator',
    query: readRecordsQuery,
    handle: ({ eddy, params, query: { iterator, ...options } }) =>
      eddy.stream(params.stream as string).read(iterator, options),
  }),
  route({
    method: 'post',
    path: '/streams/:stream/records',
    tag: 'streams',
    summary: 'Publish records to a standalone stream, in one transaction',
    body: publishBody,
    status: 201,
    handle: async ({ eddy, params, body }) => ({
      records: await eddy.stream(params.stream as string).publish(body.records),
    }),
  }),
]
