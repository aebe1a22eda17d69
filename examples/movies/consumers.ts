/**
 * The three consumers of the movies stream, each with its own failure mode:
 * - `search-index` keeps the full-text index; a failure is dead-lettered to `search-dlq`;
 * - `new-releases` logs one line per new movie; a failure is logged and skipped;
 * - `ratings` records each movie's rating and plot length; failures go to `ratings-dlq`.
 * The first version of the ratings handler assumes that every movie has a rating and a plot;
 * the real data disagrees, which is what the demo shows and then repairs.
 */
import type { ChangeRecord, RecordHandler } from '../../src/index.ts'
import type { Catalog } from './catalog.ts'
import type { Movie } from './movie.ts'

type MovieHandler = RecordHandler<Movie & Record<string, unknown>>

export function indexMovie(catalog: Catalog): MovieHandler {
  return (record) => {
    if (record.eventName === 'REMOVE') return catalog.unindex(record.keys as unknown as Movie)
    catalog.index(imageOf(record))
  }
}

/** Announces movies added to the table; updates and deletes are not news. */
export const announceRelease: MovieHandler = (record, context) => {
  if (record.eventName !== 'INSERT') return
  const movie = imageOf(record)
  const released = new Date(movie.info.release_date as string)
  if (Number.isNaN(released.getTime())) {
    throw new Error(`"${movie.title}" (${movie.year}) has no release date to announce`)
  }
  context.log.info(
    { title: movie.title, released: released.toISOString().slice(0, 10) },
    'new release',
  )
}

/** Version 1: assumes every movie has `info.rating` and `info.plot`. It does not. */
export function rateMovieAssumingComplete(catalog: Catalog): MovieHandler {
  return (record) => {
    if (record.eventName === 'REMOVE') return
    const movie = imageOf(record)
    const rating = movie.info.rating as number
    const plot = movie.info.plot as string
    catalog.saveRating(movie, Number(rating.toFixed(1)), plot.split(/\s+/).length)
  }
}

/** Version 2, the fix: a movie without a rating is unrated, one without a plot has no words. */
export function rateMovie(catalog: Catalog): MovieHandler {
  return (record) => {
    if (record.eventName === 'REMOVE') return
    const movie = imageOf(record)
    const rating = movie.info.rating === undefined ? null : Number(movie.info.rating.toFixed(1))
    const plotWords = movie.info.plot ? movie.info.plot.split(/\s+/).length : 0
    catalog.saveRating(movie, rating, plotWords)
  }
}

function imageOf(record: ChangeRecord<Movie & Record<string, unknown>>): Movie {
  if (!record.newImage) throw new Error(`record ${record.sequenceNumber} carries no new image`)
  return record.newImage
}
