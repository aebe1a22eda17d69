/**
 * The signups app: a users table with a stream, three consumers, one dead-letter queue, and an
 * alarm that fires while the dead-letter queue holds records. The indexer's version is a
 * parameter, so that the example can run the broken one first and the fix after.
 */
import { join } from 'node:path'
import { defineConfig, type EddyConfig } from '../../src/index.ts'
import {
  indexUser,
  indexUserV1,
  notifySignup,
  Outbox,
  SearchIndex,
  sendWelcomeMail,
} from './consumers.ts'

export const defaultDir = '.eddy/user-signups'

export interface SignupsApp {
  config: EddyConfig
  index: SearchIndex
  outbox: Outbox
}

export interface SignupsOptions {
  dir?: string
  /** Where the notifier and the alarm post. */
  webhookUrl: string
  indexerVersion?: 1 | 2
  /** Shared across versions, so that the example sees one index and one outbox. */
  index?: SearchIndex
  outbox?: Outbox
}

export function signupsApp(options: SignupsOptions): SignupsApp {
  const index = options.index ?? new SearchIndex()
  const outbox = options.outbox ?? new Outbox()
  const indexer = options.indexerVersion === 1 ? indexUserV1 : indexUser

  const config = defineConfig({
    store: { path: join(options.dir ?? defaultDir, 'eddy.db') },
    tables: [
      {
        name: 'users',
        partitionKey: { name: 'id', type: 'string' },
        stream: { viewType: 'NEW_AND_OLD_IMAGES', shards: 4 },
      },
    ],
    consumers: [
      {
        name: 'search-index',
        stream: 'users',
        handleRecord: indexer(index),
        onFailure: { deadLetter: 'search-dlq' },
      },
      {
        name: 'signup-notifier',
        stream: 'users',
        handleRecord: notifySignup(options.webhookUrl),
        onFailure: 'log',
      },
      { name: 'welcome-mail', stream: 'users', handleRecord: sendWelcomeMail(outbox) },
    ],
    alarms: [
      {
        name: 'search-dlq-not-empty',
        metric: 'queueDepth',
        queue: 'search-dlq',
        threshold: 1,
        periodSeconds: 1,
        webhookUrl: options.webhookUrl,
      },
    ],
  })
  return { config, index, outbox }
}
