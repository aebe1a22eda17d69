/**
 * Who may call the server. With a token, every request must carry `Authorization: Bearer
 * <token>` (compared in constant time). Without one the server listens on loopback only, and
 * refuses what a web page could send it from a browser on the same machine: requests whose Host
 * is not a loopback name (DNS rebinding), and requests whose Origin is another site.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { HttpError } from './errors.ts'
import { isLoopback } from './options.ts'

/** The middleware that admits or refuses a request; see the module comment. */
export function guard(token: string | null): MiddlewareHandler {
  const expected = token === null ? null : digest(token)
  return async (c, next) => {
    checkOrigin(c.req.header('origin'), c.req.header('host'))
    if (expected === null) checkHost(c.req.header('host'))
    else checkToken(c.req.header('authorization'), expected)
    await next()
  }
}

function checkToken(header: string | undefined, expected: Buffer): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) {
    throw new HttpError(
      401,
      'EDDY_UNAUTHORIZED',
      'Missing access token: send the header Authorization: Bearer <token>',
    )
  }
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  if (!timingSafeEqual(digest(match[1]), expected)) {
    throw new HttpError(401, 'EDDY_UNAUTHORIZED', 'Wrong access token')
  }
}

function checkHost(host: string | undefined): void {
  const name = host?.replace(/:\d+$/, '') ?? ''
  if (isLoopback(name)) return
  throw new HttpError(
    403,
    'EDDY_FORBIDDEN',
    `Host ${JSON.stringify(host ?? '')} is not a loopback name: without a token the server ` +
      'answers only requests to 127.0.0.1, localhost or [::1]',
  )
}

function checkOrigin(origin: string | undefined, host: string | undefined): void {
  if (origin === undefined) return
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    originHost = ''
  }
  if (originHost !== '' && originHost === host) return
  throw new HttpError(
    403,
    'EDDY_FORBIDDEN',
    `Origin ${JSON.stringify(origin)} is another site: the API does not answer requests ` +
      'that web pages send across sites',
  )
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
