/**
 * The example: what a changed event schema does to three consumers with three failure modes.
 *
 *   1. producer v1 writes the first half of the users with `fullname`; every consumer is happy;
 *   2. producer v2 writes the rest with `firstname` and `lastname`, without `fullname`: the
 *      search indexer dead-letters them (and an alarm posts to the webhook), the notifier logs
 *      and skips them, the welcome mail does not care;
 *   3. indexer v2 is deployed and reprocesses its dead letters; the welcome-mail consumer is
 *      replayed from the start, and idempotency keeps it from mailing anyone twice;
 *   4. a summary (with --json: one JSON object on the last line).
 *
 * Options: --data <dummyjson-users.json> --dir <folder for the store> --json
 */
import { createWriteStream } from 'node:fs'
import { join, resolve } from 'node:path'
import { createLogger, open, type Eddy, type Logger } from '../../src/index.ts'
import { defaultDir, signupsApp } from './config.ts'
import {
  consumerTotals,
  parseExampleOptions,
  runExample,
  type ExampleOptions,
} from '../shared/example-kit.ts'
import { prepareDir, readUsers, startWebhookReceiver, waitUntil } from './setup.ts'
import { defaultDataFile, userV1, userV2, type SignupUser, type SourceUser } from './user.ts'

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>

async function writeUsers(eddy: Eddy, users: SignupUser[]): Promise<void> {
  const table = eddy.table<SignupUser>('users')
  for (let start = 0; start < users.length; start += 25) {
    await table.batchWrite(users.slice(start, start + 25).map((user) => ({ put: user })))
  }
}

/** The alarm transitions the webhook received, as `FROM→TO`. */
function alarmTransitions(hook: Receiver): string[] {
  return hook.texts.flatMap((text) => {
    const match = /alarm "search-dlq-not-empty" is (\w+) \(was (\w+)\)/.exec(text)
    return match ? [`${match[2]}→${match[1]}`] : []
  })
}

/** Steps 1 and 2: producer v1, then v2, with indexer v1 deployed. */
async function produce(users: SourceUser[], dir: string, hook: Receiver, logger: Logger) {
  const app = signupsApp({ dir, webhookUrl: hook.url, indexerVersion: 1 })
  const live = await open(app.config, { logger })
  await live.start()
  const half = Math.ceil(users.length / 2)
  await writeUsers(live, users.slice(0, half).map(userV1))
  await live.waitUntilCaughtUp(60_000)
  await writeUsers(live, users.slice(half).map(userV2))
  await live.waitUntilCaughtUp(60_000)
  await waitUntil(() => alarmTransitions(hook).some((t) => t.endsWith('ALARM')), 'the alarm')

  const result = {
    consumers: await consumerTotals(live),
    deadLettered: (await live.queue('search-dlq').depth()).visible,
    notificationsPosted: hook.texts.filter((text) => text.startsWith('New signup:')).length,
    mailsSent: app.outbox.sent.length,
  }
  await live.close()
  return { app, half, ...result }
}

/** Step 3: indexer v2, reprocess its dead letters, replay the welcome mails. */
async function repair(produced: Awaited<ReturnType<typeof produce>>, options: RepairOptions) {
  const { dir, hook, logger } = options
  const { index, outbox } = produced.app
  const app = signupsApp({ dir, webhookUrl: hook.url, indexerVersion: 2, index, outbox })
  const fixed = await open(app.config, { logger })
  const reprocess = await fixed.reprocess('search-dlq')

  const mailsBefore = (await consumerTotals(fixed))['welcome-mail']?.delivered ?? 0
  await fixed.replay('welcome-mail', { fromTimeMs: 0 })
  await fixed.start()
  await fixed.waitUntilCaughtUp(60_000)
  await waitUntil(() => alarmTransitions(hook).at(-1) === 'ALARM→OK', 'the alarm to clear')
  const redelivered = ((await consumerTotals(fixed))['welcome-mail']?.delivered ?? 0) - mailsBefore
  await fixed.close()
  return { reprocess, redelivered }
}

interface RepairOptions {
  dir: string
  hook: Receiver
  logger: Logger
}

async function main(args: ExampleOptions): Promise<void> {
  const users = readUsers(args.data)
  prepareDir(args.dir)
  const logFile = join(args.dir, 'example.log')
  const logger = createLogger({
    level: 'info',
    destination: createWriteStream(logFile),
    pretty: false,
  })
  const hook = await startWebhookReceiver()
  const startedMs = Date.now()
  try {
    const produced = await produce(users, args.dir, hook, logger)
    const { reprocess, redelivered } = await repair(produced, { dir: args.dir, hook, logger })
    const { index, outbox } = produced.app
    const sample = users[produced.half] ?? users[0]
    const query = sample ? `${sample.firstName} ${sample.lastName}` : ''
    print(
      {
        users: users.length,
        writtenWithFullname: produced.half,
        writtenWithFirstAndLastName: users.length - produced.half,
        consumers: produced.consumers,
        notificationsPosted: produced.notificationsPosted,
        deadLettered: produced.deadLettered,
        reprocessed: reprocess.reprocessed,
        failedAgain: reprocess.failed,
        dlqRemaining: reprocess.left,
        indexed: index.names.size,
        search: { query, hits: index.search(query) },
        mailsBeforeReplay: produced.mailsSent,
        replayedRecords: redelivered,
        mailsSent: outbox.sent.length,
        duplicateMails: outbox.duplicates,
        alarmTransitions: alarmTransitions(hook),
        elapsedMs: Date.now() - startedMs,
        store: resolve(args.dir, 'eddy.db'),
        log: resolve(logFile),
      },
      args.json,
    )
  } finally {
    await hook.close()
  }
}

type Summary = Record<string, unknown> & {
  consumers: Awaited<ReturnType<typeof consumerTotals>>
  search: { query: string; hits: string[] }
}

function print(s: Summary, json: boolean): void {
  if (json) return void process.stdout.write(`${JSON.stringify(s)}\n`)
  const lines = [
    `User signups example (store ${s.store})`,
    `  users written            ${s.users}: ${s.writtenWithFullname} with fullname (v1), ${s.writtenWithFirstAndLastName} with firstname/lastname (v2)`,
    ...Object.entries(s.consumers).map(
      ([name, c]) =>
        `  ${name.padEnd(24)} ${c.delivered} delivered, ${c.failed} failed, ${c.deadLettered} dead-lettered`,
    ),
    `  notifier (log)           ${s.notificationsPosted} posted to the webhook; the v2 users were logged and skipped`,
    `  indexer (dead-letter)    ${s.deadLettered} dead-lettered; v2 reprocessed ${s.reprocessed}, failed again ${s.failedAgain}, left ${s.dlqRemaining}; ${s.indexed} users indexed`,
    `  search "${s.search.query}"  ${s.search.hits.join(', ') || '(no hits)'}`,
    `  welcome mail (idempotent) ${s.mailsBeforeReplay} sent; replay re-delivered ${s.replayedRecords} records; ${s.mailsSent} sent in all, ${s.duplicateMails} duplicates`,
    `  alarm search-dlq-not-empty ${(s.alarmTransitions as string[]).join(', ')} (posted to the webhook)`,
    `  elapsed                  ${s.elapsedMs} ms`,
    `  log                      ${s.log}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

await runExample('user-signups example', () =>
  main(parseExampleOptions({ data: defaultDataFile, dir: defaultDir })),
)
