/**
 * SQL for idempotency keys: one row per key with its state (`in-progress`, `completed`,
 * `failed`) and when it expires. An expired row counts as absent.
 */
import type Database from 'better-sqlite3'
import type { IdempotencyClaim } from '../index.ts'

interface KeyRow {
  state: 'in-progress' | 'completed' | 'failed'
  expires_at_ms: number
}

/** Statements that change idempotency keys; run on the writer's connection. */
export function prepareIdempotencyWrites(db: Database.Database) {
  const select = db.prepare<[string], KeyRow>(
    'SELECT state, expires_at_ms FROM idempotency_keys WHERE key = ?',
  )
  const upsert = db.prepare(
    `INSERT INTO idempotency_keys (key, state, expires_at_ms, error) VALUES (?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at_ms = excluded.expires_at_ms,
       error = excluded.error`,
  )
  const purge = db.prepare('DELETE FROM idempotency_keys WHERE expires_at_ms < ?')

  return {
    /**
     * Claims a key for a run: `claimed` when it was absent, expired or failed (it is now in
     * progress until `inProgressExpiryMs`), else the live state that forbids a run.
     */
    claim(key: string, inProgressExpiryMs: number, nowMs: number): IdempotencyClaim {
      const row = select.get(key)
      if (row && row.expires_at_ms > nowMs && row.state !== 'failed') return row.state
      upsert.run(key, 'in-progress', nowMs + inProgressExpiryMs, null)
      return 'claimed'
    },

    complete(key: string, ttlMs: number, nowMs: number): void {
      upsert.run(key, 'completed', nowMs + ttlMs, null)
    },

    fail(key: string, error: string, ttlMs: number, nowMs: number): void {
      upsert.run(key, 'failed', nowMs + ttlMs, error)
    },

    /** Deletes expired keys; returns how many. */
    purge(nowMs: number): number {
      return purge.run(nowMs).changes
    },
  }
}
