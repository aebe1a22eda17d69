/**
 * Options of the HTTP server, validated in one place: the `server` key of the config, merged
 * under the environment (`EDDY_SERVER_TOKEN`) and the command line's flags.
 */
import { isIP } from 'node:net'
import { z } from 'zod'
import { ConfigError, describe } from '../errors.ts'

/** The port `eddy dev` serves on unless told otherwise. */
export const defaultPort = 4680
/** The largest request body accepted by default: 1 MiB. */
export const defaultBodyLimitBytes = 1024 * 1024
/** The shortest access token accepted, in characters. */
export const minTokenLength = 16

/** What the HTTP server listens on and whom it lets in. */
export interface ServerOptions {
  /** Address to bind. Default `127.0.0.1`; any non-loopback address requires `token`. */
  host?: string
  /** TCP port; 0 picks a free one. Default 4680. */
  port?: number
  /** Access token: every request must send `Authorization: Bearer <token>`. At least 16 characters. */
  token?: string
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  bodyLimitBytes?: number
  /** Show the message and stack of internal errors in responses. Default false. */
  debug?: boolean
}

/** The `server` key of the config: the server's options, and whether `eddy dev` starts it. */
export interface ServerConfig extends Omit<ServerOptions, 'debug'> {
  /** Serve HTTP from `eddy dev`. Default true. */
  enabled?: boolean
}

const serverOptionFields = {
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  token: z
    .string()
    .min(minTokenLength, `expected at least ${minTokenLength} characters`)
    .optional(),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .optional(),
}

/** The zod schema of the config's `server` key. */
export const serverConfigSchema = z
  .strictObject({ ...serverOptionFields, enabled: z.boolean().optional() })
  .optional()

const serverOptionsSchema = z.strictObject({
  ...serverOptionFields,
  debug: z.boolean().optional(),
})

/** Options with their defaults filled in. */
export type ResolvedServerOptions = Required<Omit<ServerOptions, 'token'>> & {
  token: string | null
}

/** Validates options and fills in defaults; throws a `ConfigError` naming the bad option. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const parsed = serverOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const name = issue?.path.join('.') || '(root)'
    const value =
      name === 'token'
        ? '(hidden)'
        : describe(issue?.path[0] && options[issue.path[0] as keyof ServerOptions])
    throw new ConfigError(`Server option ${name}: ${issue?.message} (got ${value})`)
  }
  const { host = '127.0.0.1', port = defaultPort, token, debug = false } = parsed.data
  const bodyLimitBytes = parsed.data.bodyLimitBytes ?? defaultBodyLimitBytes
  return { host, port, token: token ?? null, bodyLimitBytes, debug }
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  return bare.startsWith('::ffff:127.')
}

/** Refuses to serve a non-loopback address without a token: anyone on the network could write. */
export function checkBind(options: ResolvedServerOptions): void {
  if (options.token !== null || isLoopback(options.host)) return
  throw new ConfigError(
    `Refusing to serve HTTP on ${options.host} without an access token: anyone who can reach ` +
      'it could read and write every table and queue. Set server.token in the config (or ' +
      'EDDY_SERVER_TOKEN), or bind to 127.0.0.1',
  )
}
