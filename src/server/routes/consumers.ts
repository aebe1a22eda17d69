/** Routes over consumers: list, enable or disable, replay. */
import type { ResolvedConsumer } from '../../consumers/index.ts'
import type { ReplayOptions } from '../../consumers/replay.ts'
import { route } from '../route.ts'
import { replayBody } from '../schemas.ts'

/** What a consumer's declaration says, without its handler. */
function summarize(consumer: ResolvedConsumer) {
  return {
    name: consumer.name,
    stream: consumer.stream,
    enabled: consumer.enabled,
    onFailure: consumer.onFailure,
    batchSize: consumer.batchSize,
    startingPosition: consumer.startingPosition,
    parallelization: consumer.parallelization,
    maxRetryAttempts: consumer.maxRetryAttempts,
    isolated: consumer.isolation !== null,
  }
}

export const consumerRoutes = [
  route({
    method: 'get',
    path: '/consumers',
    tag: 'consumers',
    summary: 'List the consumers with their stream and failure mode',
    handle: ({ eddy }) => ({ consumers: eddy.consumers().map(summarize) }),
  }),
  ...[true, false].map((enabled) =>
    route({
      method: 'post',
      path: `/consumers/:consumer/${enabled ? 'enable' : 'disable'}`,
      tag: 'consumers',
      summary: enabled
        ? 'Resume a consumer from its checkpoint'
        : 'Pause a consumer in every process; its checkpoint stays',
      handle: async ({ eddy, params }) => {
        await eddy.setEnabled(params.consumer as string, enabled)
        return { consumer: params.consumer, enabled }
      },
    }),
  ),
  route({
    method: 'post',
    path: '/consumers/:consumer/replay',
    tag: 'consumers',
    summary: "Move a consumer's checkpoints to a sequence number or a time, in every shard",
    body: replayBody,
    handle: async ({ eddy, params, body }) => ({
      shards: await eddy.replay(params.consumer as string, body as ReplayOptions),
    }),
  }),
]
