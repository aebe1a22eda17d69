/**
 * SQL for consumer leases: which process runs a (consumer, shard), until when, and under which
 * token. Every acquisition bumps the token, so a checkpoint write carrying an older token (from a
 * process that lost the lease) matches no row and is refused.
 */
import type Database from 'better-sqlite3'
import type { LeaseGrant } from '../index.ts'

/** Statements that change leases; run on the writer's connection. */
export function prepareLeaseWrites(db: Database.Database) {
  const acquire = db.prepare<[string, number, string, number, number], { token: number }>(
    `INSERT INTO consumer_leases (consumer, shard, owner, token, expires_at_ms) VALUES (?, ?, ?, 1, ?)
     ON CONFLICT (consumer, shard) DO UPDATE SET owner = excluded.owner, token = token + 1,
       expires_at_ms = excluded.expires_at_ms
     WHERE consumer_leases.owner IS NULL OR consumer_leases.expires_at_ms <= ?
     RETURNING token`,
  )
  const renew = db.prepare(
    `UPDATE consumer_leases SET expires_at_ms = ?
     WHERE consumer = ? AND shard = ? AND owner = ? AND token = ?`,
  )
  const release = db.prepare(
    `UPDATE consumer_leases SET owner = NULL, expires_at_ms = 0
     WHERE consumer = ? AND shard = ? AND owner = ? AND token = ?`,
  )
  const revoke = db.prepare(
    `UPDATE consumer_leases SET owner = NULL, token = token + 1, expires_at_ms = 0
     WHERE consumer = ? AND shard = ?`,
  )
  const seen = db.prepare(
    `INSERT INTO consumer_processes (owner, seen_at_ms) VALUES (?, ?)
     ON CONFLICT (owner) DO UPDATE SET seen_at_ms = excluded.seen_at_ms`,
  )
  const forgetOld = db.prepare('DELETE FROM consumer_processes WHERE seen_at_ms < ?')
  const forget = db.prepare('DELETE FROM consumer_processes WHERE owner = ?')
  const live = db.prepare<[number], { n: number }>(
    'SELECT COUNT(*) AS n FROM consumer_processes WHERE seen_at_ms >= ?',
  )

  return {
    /** Takes a free or expired lease; null when another process holds it. */
    acquire(grant: Omit<LeaseGrant, 'token'>, expiryMs: number, nowMs: number): LeaseGrant | null {
      const { consumer, shard, owner } = grant
      const row = acquire.get(consumer, shard, owner, nowMs + expiryMs, nowMs)
      return row ? { ...grant, token: row.token } : null
    },

    /** Extends a held lease; false when it was taken over or revoked. */
    renew(grant: LeaseGrant, expiryMs: number, nowMs: number): boolean {
      const { consumer, shard, owner, token } = grant
      return renew.run(nowMs + expiryMs, consumer, shard, owner, token).changes === 1
    },

    release(grant: LeaseGrant): void {
      release.run(grant.consumer, grant.shard, grant.owner, grant.token)
    },

    /** Ends whoever holds the lease: its next checkpoint write is refused. */
    revoke(consumer: string, shard: number): void {
      revoke.run(consumer, shard)
    },

    /** Marks a process alive; returns how many processes were seen within `expiryMs`. */
    heartbeat(owner: string, expiryMs: number, nowMs: number): number {
      seen.run(owner, nowMs)
      forgetOld.run(nowMs - 10 * expiryMs)
      return live.get(nowMs - expiryMs)?.n ?? 1
    },

    forget(owner: string): void {
      forget.run(owner)
    },
  }
}
