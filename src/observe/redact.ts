/**
 * Secrets never reach a log line. Every object a line carries is copied with the values of
 * secret-looking attributes replaced, at any depth, whatever the letter case: passwords, social
 * security numbers, card numbers and expiry dates, IBANs, CVVs, tokens, API keys and secrets.
 * Items in a stream often hold such fields, and a handler that logs its record must not leak them.
 */

const secretName =
  /pass(word|wd)?$|^pwd$|ssn|card|iban|cvv|cvc|secret|token|api[-_]?key|authorization/i
const censor = '[redacted]'
/** Deeper than this, values are summarised: log lines are for people, not for full dumps. */
const maxDepth = 12

/** True for attribute names whose values are secrets. */
export function isSecretName(name: string): boolean {
  return secretName.test(name)
}

/** A copy of `value` with secret-looking attributes censored; errors become plain objects. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return '[cycle]'
  if (depth >= maxDepth) return '[too deep]'
  seen.add(value)

  try {
    if (Array.isArray(value)) return value.map((entry) => redactSecrets(entry, depth + 1, seen))
    if (value instanceof Error) return redactError(value, depth, seen)
    if (Buffer.isBuffer(value) || value instanceof Date) return value
    return redactEntries(Object.entries(value), depth, seen)
  } finally {
    seen.delete(value)
  }
}

function redactEntries(entries: [string, unknown][], depth: number, seen: WeakSet<object>) {
  const copy: Record<string, unknown> = {}
  for (const [name, entry] of entries) {
    copy[name] = isSecretName(name) ? censor : redactSecrets(entry, depth + 1, seen)
  }
  return copy
}

/** pino's error shape (type, message, stack), plus the error's own fields, censored. */
function redactError(error: Error, depth: number, seen: WeakSet<object>) {
  const fields = redactEntries(Object.entries(error), depth, seen)
  const cause =
    error.cause === undefined ? {} : { cause: redactSecrets(error.cause, depth + 1, seen) }
  return { type: error.name, message: error.message, stack: error.stack, ...fields, ...cause }
}
