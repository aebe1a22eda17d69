/** What every command shares: finding and opening the config, and printing results. */
import Table from 'cli-table3'
import { findConfigFile, loadConfig, type EddyConfig } from '../config/index.ts'
import { createLogger, type LogLevel } from '../observe/logger.ts'
import { open, type Eddy, type OpenOptions } from '../open.ts'

/** Options every command accepts. */
export interface CommonOptions {
  config?: string
  store?: string
  json?: boolean
  logLevel?: LogLevel
}

/**
 * Loads the config and opens its store; `defaultLevel` applies when neither flag nor config sets
 * one. Commands look at an existing store: only those that pass `mustExist: false` create one.
 */
export async function openFromCli(
  options: CommonOptions,
  defaultLevel: LogLevel = 'warn',
  openOptions: Pick<OpenOptions, 'registerSchemas' | 'mustExist'> = {},
): Promise<Eddy> {
  return (await loadFromCli(options, defaultLevel, openOptions)).eddy
}

/** `openFromCli`, also handing back the loaded config for commands that read more of it. */
export async function loadFromCli(
  options: CommonOptions,
  defaultLevel: LogLevel = 'warn',
  openOptions: Pick<OpenOptions, 'registerSchemas' | 'mustExist'> = {},
): Promise<{ eddy: Eddy; config: EddyConfig }> {
  const file = findConfigFile(options.config)
  const config = await loadConfig(file)
  const logger = createLogger({ level: options.logLevel ?? config.log?.level ?? defaultLevel })
  const eddy = await open(config, {
    logger,
    storePath: options.store,
    mustExist: true,
    ...openOptions,
  })
  return { eddy, config }
}

/**
 * Opens the config's store, runs `work` on it and closes it, also when `work` throws: the shape of
 * every command that reads or changes a store once.
 */
export async function withEddy<T>(
  options: CommonOptions,
  work: (eddy: Eddy) => Promise<T>,
  defaultLevel: LogLevel = 'warn',
  openOptions: Pick<OpenOptions, 'registerSchemas' | 'mustExist'> = {},
): Promise<T> {
  const eddy = await openFromCli(options, defaultLevel, openOptions)
  try {
    return await work(eddy)
  } finally {
    await eddy.close()
  }
}

/** Prints rows as a table with the given columns. */
export function printTable(columns: string[], rows: (string | number | null)[][]): void {
  const table = new Table({ head: columns, style: { head: [], border: [] } })
  for (const row of rows) table.push(row.map((cell) => (cell === null ? '-' : String(cell))))
  process.stdout.write(`${table.toString()}\n`)
}

/** Prints a value as one line of JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

/** Formats milliseconds for people: 850ms, 12.3s, 4m05s, 2h10m. */
export function formatDuration(ms: number | null): string | null {
  if (ms === null) return null
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60)
    return `${minutes}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}
