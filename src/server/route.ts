/**
 * A route of the native API as data: method, path, the zod schemas of its body and query, and a
 * handler over the `Eddy` core. The app registers these with Hono and the OpenAPI document is
 * generated from the same list, so the two cannot disagree.
 */
import type { ZodType } from 'zod'
import type { Eddy } from '../open.ts'

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** What a handler gets: the core, path parameters, and the validated body and query. */
export interface RouteInput<B, Q> {
  eddy: Eddy
  params: Record<string, string>
  body: B
  query: Q
  /** Aborts when the client goes away. */
  signal: AbortSignal
}

/** One route. A handler returns JSON (200), a `Response` as is, or undefined (204). */
export interface Route<B = unknown, Q = unknown> {
  method: Method
  /** Hono path, such as `/tables/:table/items`. */
  path: string
  /** One line for the OpenAPI document. */
  summary: string
  /** OpenAPI tag: tables, streams, consumers, queues or system. */
  tag: string
  body?: ZodType<B>
  query?: ZodType<Q>
  /** Status of a success with a body; default 200. */
  status?: 200 | 201
  handle(input: RouteInput<B, Q>): unknown
}

/** Declares a route with its input types inferred from its schemas. */
export function route<B = undefined, Q = undefined>(definition: Route<B, Q>): Route {
  return definition as Route
}
