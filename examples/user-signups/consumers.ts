/**
 * The three consumers of the users stream, one per failure mode:
 * - `search-index` keeps a name index; a failure is dead-lettered to `search-dlq`, kept with its
 *   error so that the fixed handler can reprocess it;
 * - `signup-notifier` posts each new user to a Slack-style webhook; a failure is logged and
 *   skipped (a missed notification is no disaster);
 * - `welcome-mail` sends one welcome mail per user, wrapped in `idempotent()` so that a retried
 *   batch or a replay sends no second one; a failure stops and retries (the default).
 */
import { idempotent, type ChangeRecord, type RecordHandler } from '../../src/index.ts'
import type { SignupUser } from './user.ts'

type UserRecord = ChangeRecord<SignupUser & Record<string, unknown>>
type UserHandler = RecordHandler<SignupUser & Record<string, unknown>>

/** The search index: user id to the lower-case name it is found by. */
export class SearchIndex {
  readonly names = new Map<string, string>()

  add(id: string, name: string): void {
    this.names.set(id, name.toLowerCase())
  }

  remove(id: string): void {
    this.names.delete(id)
  }

  /** Ids whose name contains every word of the query. */
  search(query: string): string[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean)
    return [...this.names].filter(([, n]) => words.every((w) => n.includes(w))).map(([id]) => id)
  }
}

/** A mail sender that records what it sent, so that the example can count duplicates. */
export class Outbox {
  readonly sent: { to: string; subject: string }[] = []

  send(to: string, subject: string): void {
    this.sent.push({ to, subject })
  }

  get duplicates(): number {
    return this.sent.length - new Set(this.sent.map((mail) => mail.to)).size
  }
}

/** Version 1 of the indexer: it assumes that every user has a `fullname`. */
export function indexUserV1(index: SearchIndex): UserHandler {
  return (record) => {
    if (record.eventName === 'REMOVE') return index.remove(String(record.keys.id))
    const user = imageOf(record)
    // Written when every producer set `fullname`: undefined.toLowerCase() throws a TypeError.
    index.add(user.id, (user.fullname as string).toLowerCase())
  }
}

/** Version 2, the fix: a name from `fullname`, or else from `firstname` and `lastname`. */
export function indexUser(index: SearchIndex): UserHandler {
  return (record) => {
    if (record.eventName === 'REMOVE') return index.remove(String(record.keys.id))
    const user = imageOf(record)
    const name = user.fullname ?? [user.firstname, user.lastname].filter(Boolean).join(' ')
    if (name === '') throw new Error(`user ${user.id} has neither fullname nor first and last name`)
    index.add(user.id, name)
  }
}

/** Posts `New signup: <name> (@username)` to the webhook; a user without `fullname` fails. */
export function notifySignup(webhookUrl: string): UserHandler {
  return async (record) => {
    if (record.eventName !== 'INSERT') return
    const user = imageOf(record)
    if (typeof user.fullname !== 'string') {
      throw new Error(`user ${user.id} has no fullname to announce`)
    }
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `New signup: ${user.fullname} (@${user.username})` }),
    })
    await response.body?.cancel()
    if (!response.ok) throw new Error(`the webhook answered ${response.status}`)
  }
}

/** Sends each new user one welcome mail; the user id is the idempotency key. */
export function sendWelcomeMail(outbox: Outbox): UserHandler {
  return idempotent(
    (record: UserRecord) => {
      if (record.eventName !== 'INSERT') return
      outbox.send(imageOf(record).email, 'Welcome!')
    },
    { key: (record) => String(record.keys.id), ttlSeconds: 7 * 24 * 3600 },
  )
}

function imageOf(record: UserRecord): SignupUser {
  if (!record.newImage) throw new Error(`record ${record.sequenceNumber} carries no new image`)
  return record.newImage
}
