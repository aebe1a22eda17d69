/**
 * The HTTP server: Eddy's native JSON API (tables, streams, consumers, queues, status), the
 * Prometheus metrics and the OpenAPI document, as a thin shell over the `Eddy` core calls. It
 * listens on 127.0.0.1 unless told otherwise; another address needs an access token. See
 * docs/http.md. The AWS-compatible endpoints and the dashboard are not built yet.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { ConfigError } from '../errors.ts'
import type { Eddy } from '../open.ts'
import { createServer } from './app.ts'
import {
  checkBind,
  resolveServerOptions,
  type ResolvedServerOptions,
  type ServerConfig,
  type ServerOptions,
} from './options.ts'

export { createServer } from './app.ts'
export { HttpError, toErrorResponse, type ErrorEnvelope, type HttpErrorCode } from './errors.ts'
export {
  checkBind,
  defaultBodyLimitBytes,
  defaultPort,
  isLoopback,
  serverConfigSchema,
  type ServerConfig,
  type ServerOptions,
} from './options.ts'

/** How long `close` lets requests in flight (long polls, reprocess runs) finish before cutting them. */
const closeGraceMs = 2_000

/** A listening server. */
export interface ServerHandle {
  /** The bound address, such as `127.0.0.1`. */
  host: string
  /** The bound port (the one picked, when asked for port 0). */
  port: number
  /** Such as `http://127.0.0.1:4680`. */
  url: string
  /** Stops accepting connections; resolves when the requests in flight ended (at most 2 s). */
  close(): Promise<void>
}

/**
 * Serves the native API over `eddy`. Refuses with a `ConfigError` to bind a non-loopback
 * address without a token, and when the port is taken.
 */
export async function serve(eddy: Eddy, options: ServerOptions = {}): Promise<ServerHandle> {
  const resolved = checkServerOptions(options)
  const app = createServer(eddy, options)
  const server = createAdaptorServer({ fetch: app.fetch }) as Server

  await listen(server, resolved.host, resolved.port)
  const address = server.address() as AddressInfo
  const host = address.address
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
  return { host, port: address.port, url, close: () => closeServer(server) }
}

/**
 * Validates options and refuses a non-loopback bind without a token, with a `ConfigError`; for
 * callers that want to refuse before they start anything else.
 */
export function checkServerOptions(options: ServerOptions): ResolvedServerOptions {
  const resolved = resolveServerOptions(options)
  checkBind(resolved)
  return resolved
}

/**
 * The options `eddy dev` serves with: defaults, then the config's `server` key, then the
 * environment's `EDDY_SERVER_TOKEN`, then the flags. Null when the config disables the server.
 */
export function serverOptionsFrom(
  config: ServerConfig | undefined,
  flags: { host?: string; port?: number },
  env: NodeJS.ProcessEnv = process.env,
): ServerOptions | null {
  const { enabled = true, ...fromConfig } = config ?? {}
  if (!enabled) return null
  const token = env.EDDY_SERVER_TOKEN || fromConfig.token
  return { ...fromConfig, ...(token ? { token } : {}), ...definedOnly(flags) }
}

function definedOnly(flags: { host?: string; port?: number }): { host?: string; port?: number } {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined))
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE' ? 'the port is in use: pick another with --port' : error.message
      reject(new ConfigError(`Cannot serve HTTP on ${host}:${port}: ${reason}`, { cause: error }))
    })
    server.listen(port, host, () => resolve())
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), closeGraceMs).unref()
  })
}
