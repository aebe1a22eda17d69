/**
 * The demo: the whole job on real data, from a fresh store.
 *
 *   1. load 4,609 movies into the `movies` table in batches, as a producer would;
 *   2. three consumers follow the stream: the search index, the new-releases notifier (which
 *      logs and skips movies without a release date), and ratings v1 (which dead-letters every
 *      movie without a rating or plot);
 *   3. "deploy" ratings v2 and reprocess its dead-letter queue to zero;
 *   4. search the index and print a summary (with --json: one JSON object on the last line).
 *
 * Options: --data <moviedata.json> --dir <folder for the store> --json
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createLogger, open, type Eddy } from '../../src/index.ts'
import { defaultDir, moviesApp } from './config.ts'
import {
  consumerTotals,
  ExampleError,
  parseExampleOptions,
  prepareExampleDir,
  runExample,
  type ExampleOptions,
} from '../shared/example-kit.ts'
import { defaultDataFile, type Movie } from './movie.ts'

/** The files a run writes into its folder, and replaces on the next run. */
const demoFiles = ['eddy.db', 'catalog.db', 'demo.log']

const batchSize = 25
const searchQueries = ['star wars', 'love', 'zombie']

function readMovies(file: string): Movie[] {
  if (!existsSync(file)) {
    throw new ExampleError(
      `Movie data not found at ${resolve(file)}.\n` +
        'It is moviedata.json from the DynamoDB getting-started guide (4,609 movies); this\n' +
        'workplace keeps it in ../shared/data/dynamodb-getting-started/. Pass --data <file>.',
    )
  }
  let movies: unknown
  try {
    movies = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ExampleError(
      `Movie data at ${resolve(file)} is not readable JSON: ${(error as Error).message}`,
    )
  }
  const bad = Array.isArray(movies)
    ? movies.findIndex(
        (m) =>
          typeof m?.year !== 'number' ||
          typeof m?.title !== 'string' ||
          typeof m?.info !== 'object',
      )
    : -2
  if (bad !== -1) {
    const where =
      bad === -2 ? 'it is not a list' : `entry ${bad} has no numeric year, title and info`
    throw new ExampleError(`Movie data at ${resolve(file)} is not a list of movies: ${where}`)
  }
  return movies as Movie[]
}

async function loadMovies(eddy: Eddy, movies: Movie[]): Promise<void> {
  const table = eddy.table<Movie>('movies')
  for (let start = 0; start < movies.length; start += batchSize) {
    await table.batchWrite(movies.slice(start, start + batchSize).map((movie) => ({ put: movie })))
  }
}

async function main(args: ExampleOptions): Promise<void> {
  const movies = readMovies(args.data)
  prepareExampleDir(args.dir, { marker: '.eddy-movies-demo', files: demoFiles, who: 'demo' })
  const logFile = join(args.dir, 'demo.log')
  const startedMs = Date.now()

  // 1-2. Produce, with ratings v1 deployed, and let the consumers catch up.
  const v1 = moviesApp({ dir: args.dir, ratingsVersion: 1 })
  const logger = createLogger({
    level: 'info',
    destination: createLogStream(logFile),
    pretty: false,
  })
  const live = await open(v1.config, { logger })
  await live.start()
  await loadMovies(live, movies)
  await live.waitUntilCaughtUp(120_000)
  const consumers = await consumerTotals(live)
  const deadLettered = (await live.queue('ratings-dlq').depth()).visible
  await live.close()
  v1.catalog.close()
  const streamedMs = Date.now() - startedMs

  // 3. Deploy ratings v2 and reprocess what v1 dead-lettered.
  const v2 = moviesApp({ dir: args.dir, ratingsVersion: 2 })
  const fixed = await open(v2.config, { logger })
  const summary = await fixed.reprocess('ratings-dlq')
  await fixed.close()

  // 4. Search, and report.
  const search = Object.fromEntries(searchQueries.map((q) => [q, v2.catalog.search(q)]))
  const report = {
    itemsWritten: movies.length,
    consumers,
    deadLettered,
    reprocessed: summary.reprocessed,
    failedAgain: summary.failed,
    dlqRemaining: summary.left,
    ratingsSaved: v2.catalog.ratingsCount(),
    search,
    elapsedMs: Date.now() - startedMs,
    recordsPerSecond: Math.round((movies.length * 3) / (streamedMs / 1000)),
    store: resolve(args.dir, 'eddy.db'),
    log: resolve(logFile),
  }
  v2.catalog.close()
  print(report, args.json)
}

/** The demo's log goes to a file, so the terminal shows only the summary. */
function createLogStream(file: string) {
  mkdirSync(dirname(file), { recursive: true })
  return createWriteStream(file, { flags: 'a' })
}

type Report = Record<string, unknown> & {
  consumers: Awaited<ReturnType<typeof consumerTotals>>
  search: Record<string, string[]>
}

function print(report: Report, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`)
    return
  }
  const lines = [
    `Movies demo (store ${report.store})`,
    `  items written          ${report.itemsWritten}`,
    ...Object.entries(report.consumers).map(
      ([name, c]) =>
        `  ${name.padEnd(22)} ${c.delivered} delivered, ${c.failed} failed, ${c.deadLettered} dead-lettered`,
    ),
    `  ratings v2 reprocessed ${report.reprocessed} (failed again ${report.failedAgain}), left in ratings-dlq ${report.dlqRemaining}`,
    `  ratings saved          ${report.ratingsSaved}`,
    ...Object.entries(report.search).map(
      ([q, titles]) => `  search "${q}": ${titles.join(' | ') || '(no hits)'}`,
    ),
    `  elapsed                ${report.elapsedMs} ms, ${report.recordsPerSecond} records/s through 3 consumers`,
    `  log                    ${report.log}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

await runExample('movies demo', () =>
  main(parseExampleOptions({ data: defaultDataFile, dir: defaultDir })),
)
