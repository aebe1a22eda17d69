/**
 * The movies app: one table with a stream, three consumers, two dead-letter queues. The ratings
 * handler is a parameter so that the demo can run the broken version first and the fix after.
 */
import { join } from 'node:path'
import { defineConfig, type EddyConfig } from '../../src/index.ts'
import { Catalog } from './catalog.ts'
import { announceRelease, indexMovie, rateMovie, rateMovieAssumingComplete } from './consumers.ts'

export const defaultDir = '.eddy/movies'

export interface MoviesApp {
  config: EddyConfig
  catalog: Catalog
}

export function moviesApp(options: { dir?: string; ratingsVersion?: 1 | 2 } = {}): MoviesApp {
  const dir = options.dir ?? defaultDir
  const catalog = new Catalog(join(dir, 'catalog.db'))
  const rate = options.ratingsVersion === 1 ? rateMovieAssumingComplete : rateMovie

  const config = defineConfig({
    store: { path: join(dir, 'eddy.db') },
    tables: [
      {
        name: 'movies',
        partitionKey: { name: 'year', type: 'number' },
        sortKey: { name: 'title', type: 'string' },
        stream: { viewType: 'NEW_AND_OLD_IMAGES', shards: 4 },
      },
    ],
    queues: [{ name: 'search-dlq' }, { name: 'ratings-dlq' }],
    consumers: [
      {
        name: 'search-index',
        stream: 'movies',
        handleRecord: indexMovie(catalog),
        onFailure: { deadLetter: 'search-dlq' },
      },
      { name: 'new-releases', stream: 'movies', handleRecord: announceRelease, onFailure: 'log' },
      {
        name: 'ratings',
        stream: 'movies',
        handleRecord: rate(catalog),
        onFailure: { deadLetter: 'ratings-dlq' },
      },
    ],
  })
  return { config, catalog }
}
