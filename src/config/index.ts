/**
 * The config file: `eddy.config.ts` (or .js, .mjs) default-exports `defineConfig({...})`, which
 * declares the store, tables, consumers and queues. The whole config is validated at start; an
 * error names the path in the config, the bad value and what is allowed.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { tsImport } from 'tsx/esm/api'
import { z } from 'zod'
import { consumerDefinitionSchema, type ConsumerDefinition } from '../consumers/definition.ts'
import { ConfigError, describe } from '../errors.ts'
import { alarmDefinitionSchema, type AlarmDefinition } from '../observe/alarms/definition.ts'
import type { LogLevel } from '../observe/logger.ts'
import {
  checkRedrivePolicies,
  queueDefinitionSchema,
  type QueueDefinition,
} from '../queues/definition.ts'
import { streamSchemasSchema, type StreamSchemasDefinition } from '../schemas/definition.ts'
import { serverConfigSchema, type ServerConfig } from '../server/options.ts'
import { tableDefinitionSchema, type TableDefinition } from '../tables/definition.ts'
import { streamDefinitionSchema, type StreamDefinition } from '../streams/definition.ts'

/** Everything Eddy runs, as one object. */
export interface EddyConfig {
  store?: {
    /** Database file; a relative path starts at the current folder. Default `.eddy/eddy.db`. */
    path?: string
    /** `full` (default): acknowledged writes survive power loss. `normal`: faster. */
    durability?: 'full' | 'normal'
    /** How often to notice other processes' writes, in milliseconds. Default 100. */
    pollIntervalMs?: number
  }
  tables?: TableDefinition[]
  /** Standalone streams that accept published records; their names share a namespace with tables. */
  streams?: StreamDefinition[]
  // The handler's record type is the user's business: any item type may be declared here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  consumers?: ConsumerDefinition<any>[]
  queues?: QueueDefinition[]
  /** Versioned schemas of streams' items and their compatibility modes; see docs/schemas.md. */
  schemas?: StreamSchemasDefinition[]
  log?: { level?: LogLevel }
  /**
   * Leases of consumer shards: how long one lasts without renewal (default 10,000 ms; a killed
   * process's shards are taken over after it) and how often it is renewed (default a third).
   */
  leases?: { leaseExpiryMs?: number; leaseRenewIntervalMs?: number }
  /**
   * The HTTP server of `eddy dev`: `host` (default 127.0.0.1; any other address needs `token`),
   * `port` (default 4680), `token`, `bodyLimitBytes` (default 1 MiB), `enabled` (default true).
   * See docs/http.md.
   */
  server?: ServerConfig
  /**
   * Alarms on consumer and queue metrics, evaluated while `eddy dev`, `eddy start` or `start()`
   * run; their states are kept in the store and shown by `eddy status`.
   */
  alarms?: AlarmDefinition[]
}

/** Identity function that gives the config its type, for autocompletion in the config file. */
export function defineConfig(config: EddyConfig): EddyConfig {
  return config
}

export const defaultStorePath = '.eddy/eddy.db'
export const configFileNames = ['eddy.config.ts', 'eddy.config.mjs', 'eddy.config.js']

const configSchema = z
  .object({
    store: z
      .object({
        path: z.string().min(1).optional(),
        durability: z.enum(['full', 'normal']).optional(),
        pollIntervalMs: z.number().int().min(5).max(60_000).optional(),
      })
      .strict()
      .optional(),
    tables: z.array(tableDefinitionSchema).optional(),
    streams: z.array(streamDefinitionSchema).optional(),
    consumers: z.array(consumerDefinitionSchema).optional(),
    queues: z.array(queueDefinitionSchema).optional(),
    schemas: z.array(streamSchemasSchema).optional(),
    log: z
      .object({ level: z.enum(['silent', 'error', 'warn', 'info', 'debug']).optional() })
      .strict()
      .optional(),
    leases: z
      .object({
        leaseExpiryMs: z.number().int().min(100).max(600_000).optional(),
        leaseRenewIntervalMs: z.number().int().min(20).max(300_000).optional(),
      })
      .strict()
      .optional(),
    server: serverConfigSchema,
    alarms: z.array(alarmDefinitionSchema).optional(),
  })
  .strict()

function valueAt(config: unknown, path: PropertyKey[]): unknown {
  let value = config
  for (const step of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[step]
  return value
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((step) => (typeof step === 'number' ? `[${step}]` : `.${String(step)}`))
    .join('')
    .replace(/^\./, '')
}

function checkUnique(
  config: EddyConfig,
  keys: ('tables' | 'streams' | 'consumers' | 'queues' | 'alarms')[],
): void {
  const seen = new Set<string>()
  for (const key of keys) {
    config[key]?.forEach((entry, index) => {
      if (seen.has(entry.name)) {
        throw new ConfigError(
          `Config ${key}[${index}].name: "${entry.name}" is declared twice; names must be unique` +
            (keys.length > 1 ? ` among ${keys.join(' and ')}` : ''),
        )
      }
      seen.add(entry.name)
    })
  }
}

function checkReferences(config: EddyConfig): void {
  const streams = new Set([
    ...(config.tables ?? []).filter((t) => t.stream !== false).map((t) => t.name),
    ...(config.streams ?? []).map((s) => s.name),
  ])
  const known = [...streams].map((s) => `"${s}"`).join(', ') || 'none'
  const check = (key: 'consumers' | 'schemas') => (entry: { stream: string }, index: number) => {
    if (!streams.has(entry.stream)) {
      throw new ConfigError(
        `Config ${key}[${index}].stream: "${entry.stream}" is not a declared stream ` +
          `(tables with streams and standalone streams: ${known})`,
      )
    }
  }
  config.consumers?.forEach(check('consumers'))
  config.schemas?.forEach(check('schemas'))

  const seen = new Set<string>()
  config.schemas?.forEach((entry, index) => {
    if (seen.has(entry.stream)) {
      throw new ConfigError(
        `Config schemas[${index}].stream: "${entry.stream}" has schemas declared twice; ` +
          'list all its versions in one entry',
      )
    }
    seen.add(entry.stream)
  })
}

function checkAlarmReferences(config: EddyConfig): void {
  const consumers = (config.consumers ?? []).map((c) => c.name)
  const queues = declaredQueues(config).map((q) => q.name)
  const quote = (names: string[]) => names.map((n) => `"${n}"`).join(', ') || 'none'
  config.alarms?.forEach((alarm, index) => {
    if (alarm.consumer !== undefined && !consumers.includes(alarm.consumer)) {
      throw new ConfigError(
        `Config alarms[${index}].consumer: "${alarm.consumer}" is not a declared consumer ` +
          `(consumers: ${quote(consumers)})`,
      )
    }
    if (alarm.queue !== undefined && !queues.includes(alarm.queue)) {
      throw new ConfigError(
        `Config alarms[${index}].queue: "${alarm.queue}" is not a declared queue ` +
          `(queues, with dead-letter queues: ${quote(queues)})`,
      )
    }
  })
}

/** The declared queues, and the consumers' dead-letter queues that are named but not declared. */
export function declaredQueues(config: EddyConfig): QueueDefinition[] {
  const queues = [...(config.queues ?? [])]
  const names = new Set(queues.map((queue) => queue.name))
  for (const consumer of config.consumers ?? []) {
    const name = typeof consumer.onFailure === 'object' ? consumer.onFailure.deadLetter : null
    // A queue named only as a dead-letter target is declared with defaults; as on SQS, a name
    // ending in ".fifo" makes it a FIFO queue.
    if (name && !names.has(name)) queues.push({ name, fifo: name.endsWith('.fifo') })
    if (name) names.add(name)
  }
  return queues
}

/** Validates a config object; throws a `ConfigError` naming the first problem. */
export function validateConfig(config: unknown): EddyConfig {
  const parsed = configSchema.safeParse(config)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue?.path ?? []
    // An access token is a secret: say what is wrong with it without printing it.
    const got = path.includes('token') ? '(hidden)' : describe(valueAt(config, path))
    throw new ConfigError(`Config ${formatPath(path) || '(root)'}: ${issue?.message} (got ${got})`)
  }
  const valid = config as EddyConfig
  checkUnique(valid, ['tables', 'streams'])
  checkUnique(valid, ['consumers'])
  checkUnique(valid, ['queues'])
  checkReferences(valid)
  checkRedrivePolicies(declaredQueues(valid))
  checkUnique(valid, ['alarms'])
  checkAlarmReferences(valid)
  return valid
}

/** Finds the config file: the given path, or the first default name in `cwd`. */
export function findConfigFile(path: string | undefined, cwd = process.cwd()): string {
  if (path) {
    const full = resolve(cwd, path)
    if (!existsSync(full))
      throw new ConfigError(`Config file ${full} does not exist: check --config`)
    return full
  }
  const found = configFileNames.map((name) => resolve(cwd, name)).find((file) => existsSync(file))
  if (!found) {
    throw new ConfigError(
      `No config file in ${cwd}: create ${configFileNames[0]} or pass --config <file>`,
    )
  }
  return found
}

/** Loads and validates a config file. TypeScript files load through tsx. */
export async function loadConfig(file: string): Promise<EddyConfig> {
  let loaded: { default?: unknown }
  try {
    // tsImport loads TypeScript as ESM even where no package.json says "type": "module".
    loaded = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown }
  } catch (cause) {
    throw new ConfigError(`Config file ${file} failed to load: ${String(cause)}`, { cause })
  }
  // A config compiled as CommonJS arrives wrapped once more: { default: { default: config } }.
  const inner = loaded.default as { default?: unknown } | undefined
  if (inner && typeof inner === 'object' && 'default' in inner) loaded = inner

  if (loaded.default === undefined) {
    throw new ConfigError(
      `Config file ${file} has no default export: export default defineConfig({...})`,
    )
  }
  return validateConfig(loaded.default)
}
