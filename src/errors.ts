/**
 * The few error classes Eddy throws. Each sets `name`, carries a stable string `code` that
 * scripts can match on, and passes `cause` through. Messages name the input, quote the bad
 * value and say what was expected.
 */

/** Stable codes of Eddy's errors. */
export type EddyErrorCode =
  | 'EDDY_VALIDATION'
  | 'EDDY_NOT_FOUND'
  | 'EDDY_CONFIG'
  | 'EDDY_CONFLICT'
  | 'EDDY_STORE'
  | 'EDDY_STOPPED'
  | 'EDDY_SCHEMA_INCOMPATIBLE'
  | 'EDDY_CONTRACT'
  | 'EDDY_CONDITION_FAILED'

/** Base class of every error Eddy throws on purpose. */
export class EddyError extends Error {
  readonly code: EddyErrorCode

  constructor(code: EddyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EddyError'
    this.code = code
  }
}

/** Bad input to a public call: a key, an item, an option. Nothing was written. */
export class ValidationError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EDDY_VALIDATION', message, options)
    this.name = 'ValidationError'
  }
}

/** A table, stream, consumer or queue that is not declared. */
export class NotFoundError extends EddyError {
  constructor(message: string) {
    super('EDDY_NOT_FOUND', message)
    this.name = 'NotFoundError'
  }
}

/** The config file is missing, does not load, or does not validate. */
export class ConfigError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EDDY_CONFIG', message, options)
    this.name = 'ConfigError'
  }
}

/** The store refused a change that contradicts what it already holds. */
export class ConflictError extends EddyError {
  constructor(message: string) {
    super('EDDY_CONFLICT', message)
    this.name = 'ConflictError'
  }
}

/** The store was closed, or is closing, while a call still wanted it. */
export class StoppedError extends EddyError {
  constructor(message: string) {
    super('EDDY_STOPPED', message)
    this.name = 'StoppedError'
  }
}

/**
 * A new schema version was refused: its compatibility mode or a consumer's contract forbids it.
 * `report` holds the whole check (see `SchemaCheckReport` in `src/schemas`).
 */
export class SchemaIncompatibleError extends EddyError {
  constructor(
    message: string,
    readonly report: unknown,
  ) {
    super('EDDY_SCHEMA_INCOMPATIBLE', message)
    this.name = 'SchemaIncompatibleError'
  }
}

/**
 * A record did not meet a consumer's contract, so its handler did not run. The consumer's failure
 * mode applies as to any handler error, and a dead letter keeps this message.
 */
export class ContractError extends EddyError {
  constructor(
    message: string,
    readonly details: {
      consumer: string
      field: string
      expected: string
      actual: string
      schemaVersion: number | null
    },
  ) {
    super('EDDY_CONTRACT', message)
    this.name = 'ContractError'
  }
}

/**
 * A write's condition was false, so the write (or the whole transaction) was refused and no
 * change record was appended. `item` holds the item as it was when the caller asked for it with
 * `returnValuesOnConditionCheckFailure: 'ALL_OLD'` and the item existed.
 */
export class ConditionalCheckFailedError extends EddyError {
  /** The current item, when asked for and present. */
  readonly item: Record<string, unknown> | undefined
  /** In a transaction, the index of the request whose condition failed. */
  readonly index: number | undefined

  constructor(
    message: string,
    details: { item?: Record<string, unknown>; index?: number; cause?: unknown } = {},
  ) {
    super('EDDY_CONDITION_FAILED', message, { cause: details.cause })
    this.name = 'ConditionalCheckFailedError'
    this.item = details.item
    this.index = details.index
  }
}

/** Turns anything a handler threw into an `Error`, so that name, message and stack exist. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  return new Error(`Handler threw a non-Error value: ${describe(thrown)}`, { cause: thrown })
}

/**
 * Names what kind of value something is, never its content (`a string of 11 characters`): for
 * messages about stored data, whose fields may be secrets and whose messages reach logs, `eddy
 * status` and dead letters.
 */
export function describeKind(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'missing'
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (typeof value === 'string') return `a string of ${value.length} characters`
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

/** Quotes a bad value for an error message, short enough to read on one line. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return 'a symbol'
  if (typeof value === 'bigint') return `${value}n`
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/**
 * Refuses option objects with names the call does not know, so a typo (`sett`, `maxMessage`)
 * fails loudly instead of being ignored. `where` starts the message, such as `Update of table "t"`.
 */
export function rejectUnknownKeys(where: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null) return
  const unknown = Object.keys(value).filter((key) => !known.includes(key))
  if (unknown.length === 0) return
  throw new ValidationError(
    `${where}: unknown option ${unknown.map((key) => `"${key}"`).join(', ')}; ` +
      `expected ${known.map((key) => `"${key}"`).join(', ')}`,
  )
}

/**
 * A consumer shard's lease was taken over (it expired, or a replay revoked it): the write that
 * would have moved its checkpoint was refused, and the worker stops.
 */
export class LeaseLostError extends ConflictError {
  constructor(message: string) {
    super(message)
    this.name = 'LeaseLostError'
  }
}
