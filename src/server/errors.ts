/**
 * The HTTP error envelope and the one place that maps errors to statuses. Every refusal has the
 * shape `{ "error": { "code": "...", "message": "..." } }`, with `details` where the caller can
 * use them (the failed request of a transaction, the current item of a failed condition).
 */
import {
  ConditionalCheckFailedError,
  ConflictError,
  EddyError,
  NotFoundError,
  SchemaIncompatibleError,
  StoppedError,
  ValidationError,
} from '../errors.ts'

/** Codes of refusals made by the HTTP layer itself; Eddy's errors keep their own codes. */
export type HttpErrorCode =
  | 'EDDY_BAD_REQUEST'
  | 'EDDY_MALFORMED_JSON'
  | 'EDDY_BODY_TOO_LARGE'
  | 'EDDY_UNAUTHORIZED'
  | 'EDDY_FORBIDDEN'
  | 'EDDY_ROUTE_NOT_FOUND'
  | 'EDDY_ITEM_NOT_FOUND'
  | 'EDDY_INTERNAL'

/** The body of every error response. */
export interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> }
}

/** A refusal with its HTTP status; thrown by middleware and request validation. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 500,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** The response to an error: its status and envelope. `debug` shows the internals of a 500. */
export function toErrorResponse(
  error: unknown,
  debug: boolean,
): { status: number; body: ErrorEnvelope } {
  if (error instanceof HttpError) return envelope(error.status, error.code, error.message)
  if (error instanceof EddyError) {
    return envelope(statusOf(error), error.code, error.message, detailsOf(error))
  }
  if (!debug) {
    return envelope(500, 'EDDY_INTERNAL', 'Internal error: the server log has the details')
  }
  const shown = error instanceof Error ? error : new Error(String(error))
  return envelope(500, 'EDDY_INTERNAL', shown.message, { stack: shown.stack })
}

function statusOf(error: EddyError): number {
  if (error instanceof ValidationError) return 400
  if (error instanceof NotFoundError) return 404
  if (error instanceof ConditionalCheckFailedError) return 409
  if (error instanceof ConflictError || error instanceof SchemaIncompatibleError) return 409
  if (error instanceof StoppedError) return 503
  return 500
}

function detailsOf(error: EddyError): Record<string, unknown> | undefined {
  if (!(error instanceof ConditionalCheckFailedError)) return undefined
  if (error.index === undefined && error.item === undefined) return undefined
  return { index: error.index, item: error.item }
}

function envelope(
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): { status: number; body: ErrorEnvelope } {
  return { status, body: { error: { code, message, ...(details ? { details } : {}) } } }
}
