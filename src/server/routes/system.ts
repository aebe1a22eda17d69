/** Routes about the server and the whole store: health, status, Prometheus metrics. */
import { route } from '../route.ts'

export const systemRoutes = [
  route({
    method: 'get',
    path: '/health',
    tag: 'system',
    summary: 'Answers while the server runs',
    handle: () => ({ ok: true }),
  }),
  route({
    method: 'get',
    path: '/status',
    tag: 'system',
    summary: 'Streams, each consumer shard (checkpoint, behind, iterator age, errors) and queues',
    handle: ({ eddy }) => eddy.status(),
  }),
  route({
    method: 'get',
    path: '/metrics',
    tag: 'system',
    summary: "This process's consumer metrics in the Prometheus text format",
    handle: ({ eddy }) =>
      new Response(eddy.prometheusMetrics(), {
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      }),
  }),
]
