/**
 * The example's read model: a separate SQLite file that the consumers keep up to date, with a
 * full-text search index (FTS5) and a ratings table. Writes are upserts keyed by year and title,
 * so running a record twice leaves the same rows: at-least-once delivery is harmless here.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { Movie } from './movie.ts'

export class Catalog {
  readonly #db: Database.Database

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true })
    this.#db = new Database(path)
    this.#db.pragma('journal_mode = WAL')
    this.#db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS movie_search USING fts5(key UNINDEXED, title, plot, people);
      CREATE TABLE IF NOT EXISTS movie_ratings (
        key TEXT PRIMARY KEY, title TEXT NOT NULL, rating REAL, plot_words INTEGER NOT NULL
      );
    `)
  }

  index(movie: Movie): void {
    const key = keyOf(movie)
    const people = [...(movie.info.directors ?? []), ...(movie.info.actors ?? [])].join(' ')
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM movie_search WHERE key = ?').run(key)
      this.#db
        .prepare('INSERT INTO movie_search (key, title, plot, people) VALUES (?, ?, ?, ?)')
        .run(key, movie.title, movie.info.plot ?? '', people)
    })()
  }

  unindex(movie: Pick<Movie, 'year' | 'title'>): void {
    this.#db.prepare('DELETE FROM movie_search WHERE key = ?').run(keyOf(movie))
  }

  /** Titles that match a full-text query, best first. */
  search(query: string, limit = 5): string[] {
    return this.#db
      .prepare<[string, number], { title: string }>(
        'SELECT title FROM movie_search WHERE movie_search MATCH ? ORDER BY bm25(movie_search) LIMIT ?',
      )
      .all(query, limit)
      .map((row) => row.title)
  }

  saveRating(movie: Movie, rating: number | null, plotWords: number): void {
    this.#db
      .prepare(
        `INSERT INTO movie_ratings (key, title, rating, plot_words) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET rating = excluded.rating, plot_words = excluded.plot_words`,
      )
      .run(keyOf(movie), movie.title, rating, plotWords)
  }

  ratingsCount(): number {
    return (
      this.#db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM movie_ratings').get()?.n ?? 0
    )
  }

  close(): void {
    this.#db.close()
  }
}

function keyOf(movie: Pick<Movie, 'year' | 'title'>): string {
  return `${movie.year}#${movie.title}`
}
