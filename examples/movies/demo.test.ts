import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../test/helpers.ts'
import { defaultDataFile, type Movie } from './movie.ts'

const root = new URL('../..', import.meta.url).pathname

test('movies demo - its summary matches counts computed from the data file', () => {
  const dir = tempDir()
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'examples/movies/main.ts', '--json', '--dir', join(dir, 'movies')],
    { cwd: root, encoding: 'utf8', timeout: 240_000 },
  )
  assert.equal(run.status, 0, run.stderr)
  const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')

  const movies = JSON.parse(readFileSync(join(root, defaultDataFile), 'utf8')) as Movie[]
  const keys = new Set(movies.map((m) => `${m.year}\u0000${m.title}`))
  const incomplete = movies.filter(
    (m) => m.info.rating === undefined || m.info.plot === undefined,
  ).length
  const undated = movies.filter((m) =>
    Number.isNaN(new Date(m.info.release_date ?? '').getTime()),
  ).length

  assert.equal(summary.itemsWritten, keys.size)
  assert.deepEqual(summary.consumers['search-index'], {
    delivered: keys.size,
    failed: 0,
    deadLettered: 0,
  })
  assert.deepEqual(summary.consumers['new-releases'], {
    delivered: keys.size,
    failed: undated,
    deadLettered: 0,
  })
  assert.deepEqual(summary.consumers.ratings, {
    delivered: keys.size,
    failed: incomplete,
    deadLettered: incomplete,
  })
  assert.equal(summary.deadLettered, incomplete)
  assert.equal(summary.reprocessed, incomplete)
  assert.equal(summary.dlqRemaining, 0)
  assert.equal(summary.ratingsSaved, keys.size)

  const starWars = summary.search['star wars'] as string[]
  assert.ok(starWars.length > 0)
  for (const title of starWars) {
    const movie = movies.find((m) => m.title === title)
    const text =
      `${movie?.title} ${movie?.info.plot} ${movie?.info.actors} ${movie?.info.directors}`.toLowerCase()
    assert.ok(/\bstar/.test(text) && /\bwars/.test(text), `"${title}" matches the query`)
  }
})

test('movies demo - a missing data file is reported with where to get it', () => {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'examples/movies/main.ts',
      '--data',
      '/nonexistent/moviedata.json',
      '--dir',
      tempDir(),
    ],
    { cwd: root, encoding: 'utf8' },
  )
  assert.equal(run.status, 2)
  assert.match(run.stderr, /Movie data not found at \/nonexistent\/moviedata\.json/)
  assert.match(run.stderr, /getting-started/)
})

test('movies demo - a folder with files it did not create is left alone', () => {
  const dir = tempDir()
  writeFileSync(join(dir, 'demo.log'), 'my notes\n')

  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'examples/movies/main.ts', '--dir', dir],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
  assert.equal(run.status, 2)
  assert.match(
    run.stderr,
    /already holds demo\.log, which the demo did not create: pass another --dir/,
  )
  assert.equal(readFileSync(join(dir, 'demo.log'), 'utf8'), 'my notes\n')
})

test('movies demo - bad options and data that are not movies get one line each', () => {
  const cases: [string[], RegExp][] = [
    [
      ['--bogus'],
      /^movies demo: Unknown option '--bogus'; the options are --data <file> --dir <folder> --json\n$/,
    ],
    [
      ['--data', join(root, 'package.json')],
      /^movies demo: Movie data at .*package\.json is not a list of movies: it is not a list\n$/,
    ],
  ]
  for (const [args, message] of cases) {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'examples/movies/main.ts', '--dir', tempDir(), ...args],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    assert.equal(run.status, 2)
    assert.match(run.stderr, message)
  }
})
