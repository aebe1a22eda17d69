/** Routes over queues: attributes, send, receive, delete, peek, purge, reprocess and move. */
import type { SendOptions } from '../../queues/index.ts'
import { route } from '../route.ts'
import { moveBody, peekQuery, receiveBody, reprocessBody, sendBody } from '../schemas.ts'

export const queueRoutes = [
  route({
    method: 'get',
    path: '/queues',
    tag: 'queues',
    summary: 'List the queues with their counts and attributes',
    handle: async ({ eddy }) => ({
      queues: await Promise.all(eddy.queues().map((q) => eddy.queue(q.name).attributes())),
    }),
  }),
  route({
    method: 'get',
    path: '/dead-letter-queues',
    tag: 'queues',
    summary: 'List the dead-letter queues with what feeds each',
    handle: async ({ eddy }) => ({ queues: await eddy.deadLetterQueues() }),
  }),
  route({
    method: 'get',
    path: '/queues/:queue',
    tag: 'queues',
    summary: "A queue's counts, the age of its oldest message, and its attributes",
    handle: ({ eddy, params }) => eddy.queue(params.queue as string).attributes(),
  }),
  route({
    method: 'post',
    path: '/queues/:queue/messages',
    tag: 'queues',
    summary: 'Send a message',
    body: sendBody,
    status: 201,
    handle: ({ eddy, params, body: { body, ...options } }) =>
      eddy.queue(params.queue as string).send(body, options as SendOptions),
  }),
  route({
    method: 'get',
    path: '/queues/:queue/messages',
    tag: 'queues',
    summary: 'Peek at messages in sending order without receiving them',
    query: peekQuery,
    handle: async ({ eddy, params, query }) => ({
      messages: await eddy.queue(params.queue as string).peek(query),
    }),
  }),
  route({
    method: 'post',
    path: '/queues/:queue/receive',
    tag: 'queues',
    summary: 'Receive messages and hide them for the visibility timeout (long polling)',
    body: receiveBody,
    handle: async ({ eddy, params, body }) => ({
      messages: await eddy.queue(params.queue as string).receive(body),
    }),
  }),
  route({
    method: 'delete',
    path: '/queues/:queue/messages/:receiptHandle',
    tag: 'queues',
    summary: 'Delete a received message by its receipt handle',
    handle: async ({ eddy, params }) => {
      await eddy.queue(params.queue as string).delete(params.receiptHandle as string)
    },
  }),
  route({
    method: 'post',
    path: '/queues/:queue/purge',
    tag: 'queues',
    summary: 'Delete every message of a queue',
    handle: async ({ eddy, params }) => ({
      purged: await eddy.queue(params.queue as string).purge(),
    }),
  }),
  route({
    method: 'post',
    path: '/queues/:queue/reprocess',
    tag: 'queues',
    summary: "Run dead letters through their consumers' record handlers; delete each on success",
    body: reprocessBody,
    handle: ({ eddy, params, body, signal }) =>
      eddy.reprocess(params.queue as string, { ...body, signal }),
  }),
  route({
    method: 'post',
    path: '/queues/:queue/move',
    tag: 'queues',
    summary: 'Move visible messages to their source queue or to another queue',
    body: moveBody,
    handle: ({ eddy, params, body, signal }) =>
      eddy.move(params.queue as string, { ...body, signal }),
  }),
]
