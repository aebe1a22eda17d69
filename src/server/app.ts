/**
 * The Hono app of the native API: the guard (token, or loopback Host and same-site Origin), the
 * body limit, then one handler per route that validates the body and query with the route's
 * schemas and calls the core. Every error leaves through `toErrorResponse`.
 */
import { createRequire } from 'node:module'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ZodType } from 'zod'
import type { Eddy } from '../open.ts'
import { HttpError, toErrorResponse } from './errors.ts'
import { openApiDocument } from './openapi.ts'
import { resolveServerOptions, type ServerOptions } from './options.ts'
import { route, type Route } from './route.ts'
import { consumerRoutes } from './routes/consumers.ts'
import { queueRoutes } from './routes/queues.ts'
import { streamRoutes } from './routes/streams.ts'
import { systemRoutes } from './routes/system.ts'
import { tableRoutes } from './routes/tables.ts'
import { guard } from './security.ts'

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

/** Every route of the native API but the OpenAPI document itself. */
const apiRoutes: Route[] = [
  ...systemRoutes,
  ...tableRoutes,
  ...streamRoutes,
  ...consumerRoutes,
  ...queueRoutes,
]

/**
 * The native API over `eddy` as a Hono app, without listening: `serve` listens, and tests may
 * call `app.request()`. Throws a `ConfigError` for bad options.
 */
export function createServer(eddy: Eddy, options: ServerOptions = {}): Hono {
  const { token, bodyLimitBytes, debug } = resolveServerOptions(options)
  const app = new Hono()

  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error, debug)
    if (status >= 500) eddy.log.error({ err: error, path: c.req.path }, 'HTTP request failed')
    // The rest of an oversized body is never read, so the connection cannot carry another request.
    if (status === 413) c.header('connection', 'close')
    return c.json(body, status as 500)
  })
  app.notFound((c) => {
    throw new HttpError(
      404,
      'EDDY_ROUTE_NOT_FOUND',
      `No route ${c.req.method} ${c.req.path}: /openapi.json lists the routes`,
    )
  })
  app.use('*', guard(token))
  app.use('*', bodyLimit({ maxSize: bodyLimitBytes, onError: () => tooLarge(bodyLimitBytes) }))

  const routes: Route[] = [...apiRoutes, documentRoute(() => routes)]
  for (const each of routes) {
    app.on(each.method.toUpperCase(), each.path, (c) => handle(eddy, each, c))
  }
  return app
}

function documentRoute(routes: () => Route[]): Route {
  return route({
    method: 'get',
    path: '/openapi.json',
    tag: 'system',
    summary: 'This document',
    handle: () => openApiDocument(routes(), version),
  })
}

async function handle(eddy: Eddy, route: Route, c: Context): Promise<Response> {
  const body = route.body ? check(route.body, await readJson(c), 'body') : undefined
  const query = route.query ? check(route.query, c.req.query(), 'query') : undefined
  const params = c.req.param() as Record<string, string>
  const signal = c.req.raw.signal
  const result = await route.handle({ eddy, params, body, query, signal })

  if (result instanceof Response) return result
  if (result === undefined) return c.body(null, 204)
  return c.json(result as object, route.status ?? 200)
}

/** The body as JSON; an empty body reads as `{}`, so that optional fields may all be left out. */
async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new HttpError(400, 'EDDY_MALFORMED_JSON', `Request body is not valid JSON: ${reason}`)
  }
}

/** Validates a body or query; the refusal names the first bad field. */
function check<T>(schema: ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issue?.path.map(String) ?? []
  if (issue?.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0] ?? ''].join('.')
    throw new HttpError(400, 'EDDY_BAD_REQUEST', `Request ${where} field "${field}" is not known`)
  }
  const field = path.length > 0 ? ` field "${path.join('.')}"` : ''
  throw new HttpError(400, 'EDDY_BAD_REQUEST', `Request ${where}${field}: ${issue?.message}`)
}

function tooLarge(limitBytes: number): never {
  throw new HttpError(
    413,
    'EDDY_BODY_TOO_LARGE',
    `Request body is over the limit of ${limitBytes} bytes: send less, or raise server.bodyLimitBytes`,
  )
}
