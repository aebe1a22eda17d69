/**
 * `eddy start`: runs the config's consumers, alarms and HTTP server until SIGINT or SIGTERM.
 * `eddy dev`: the same, restarted when the config or a file beside it changes (see dev-reload.ts).
 */
import type { Eddy } from '../../open.ts'
import {
  checkServerOptions,
  serve,
  serverOptionsFrom,
  type ServerHandle,
} from '../../server/index.ts'
import { loadFromCli, type CommonOptions } from '../context.ts'
import { runWithReload } from './dev-reload.ts'

/** How long a stop may wait for handlers in flight before the process exits anyway. */
export const shutdownTimeoutMs = 10_000

/** Flags of `eddy dev` and `eddy start`: the common ones, and where the HTTP server listens. */
export interface RunOptions extends CommonOptions {
  host?: string
  port?: number
}

/**
 * Runs everything the config declares (what `eddy start` does): the consumers and alarms, then
 * the HTTP server unless the config disables it, until a signal; then closes the server and stops
 * the consumers after the records in their handlers.
 */
export async function runApp(options: RunOptions): Promise<void> {
  // Listen before starting anything: a signal that arrives during start-up must stop cleanly,
  // not kill the process with records in its handlers.
  const signal = nextSignal()
  const { eddy, config } = await loadFromCli(options, 'info', { mustExist: false })
  const serverOptions = serverOptionsFrom(config.server, { host: options.host, port: options.port })
  try {
    // Refuse a bad server config before any handler runs.
    if (serverOptions) checkServerOptions(serverOptions)
  } catch (error) {
    await eddy.close()
    throw error
  }

  await eddy.start()
  const server = await startServer(eddy, serverOptions)
  eddy.log.info(
    { store: eddy.store.location, consumers: eddy.consumers().map((c) => c.name) },
    'eddy is running; press Ctrl-C to stop',
  )

  await stopOn(await signal, eddy, server)
  eddy.log.info('stopped')
}

/** The first SIGINT or SIGTERM; later ones are ignored while the first one is handled. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Ctrl-C reaches both `eddy dev` and its child, which then also gets SIGTERM: stop once.
    process.on('SIGINT', resolve)
    process.on('SIGTERM', resolve)
  })
}

async function startServer(
  eddy: Eddy,
  options: ReturnType<typeof serverOptionsFrom>,
): Promise<ServerHandle | null> {
  if (!options) return null
  try {
    const server = await serve(eddy, options)
    eddy.log.info({ url: server.url }, `serving HTTP on ${server.url}`)
    return server
  } catch (error) {
    await eddy.close()
    throw error
  }
}

/** Closes the server, then stops the consumers, within `shutdownTimeoutMs`. */
async function stopOn(signal: NodeJS.Signals, eddy: Eddy, server: ServerHandle | null) {
  eddy.log.info({ signal }, 'stopping: finishing the records in the handlers')
  const watchdog = setTimeout(() => {
    eddy.log.error(
      { waitedMs: shutdownTimeoutMs },
      'handlers did not finish; exiting without saving their records as done',
    )
    process.exit(1)
  }, shutdownTimeoutMs)
  watchdog.unref()
  await server?.close()
  await eddy.close()
}

/** `eddy start`: for production, no reloading. */
export const startCommand = runApp

/** `eddy dev`: `eddy start` in a child process, restarted when the app's files change. */
export async function devCommand(options: RunOptions): Promise<void> {
  await runWithReload(options)
}
