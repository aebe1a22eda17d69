/** `eddy dev`: runs the config's consumers and the HTTP server until SIGINT or SIGTERM. */
import type { EddyConfig } from '../../config/index.ts'
import type { Eddy } from '../../open.ts'
import {
  checkServerOptions,
  serve,
  serverOptionsFrom,
  type ServerHandle,
} from '../../server/index.ts'
import { loadFromCli, type CommonOptions } from '../context.ts'

/** How long a stop may wait for handlers in flight before the process exits anyway. */
const shutdownTimeoutMs = 10_000

/** Flags of `eddy dev`: the common ones, and where the HTTP server listens. */
export interface DevOptions extends CommonOptions {
  host?: string
  port?: number
}

export async function devCommand(options: DevOptions): Promise<void> {
  const { eddy, config } = await loadFromCli(options, 'info', { mustExist: false })
  await run(eddy, config, options)
}

/**
 * Runs the consumers, then the HTTP server (unless the config disables it), until SIGINT or
 * SIGTERM; then closes the server and stops the consumers after the records in their handlers.
 */
export async function run(eddy: Eddy, config: EddyConfig, flags: DevOptions): Promise<void> {
  const serverOptions = serverOptionsFrom(config.server, { host: flags.host, port: flags.port })
  try {
    // Refuse a bad server config before any handler runs.
    if (serverOptions) checkServerOptions(serverOptions)
  } catch (error) {
    await eddy.close()
    throw error
  }
  await eddy.start()
  let server: ServerHandle | null = null
  try {
    server = serverOptions ? await serve(eddy, serverOptions) : null
  } catch (error) {
    await eddy.close()
    throw error
  }
  if (server) eddy.log.info({ url: server.url }, `serving HTTP on ${server.url}`)
  eddy.log.info(
    { store: eddy.store.location, consumers: eddy.consumers().map((c) => c.name) },
    'eddy is running; press Ctrl-C to stop',
  )

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      eddy.log.info({ signal }, 'stopping: finishing the records in the handlers')
      const watchdog = setTimeout(() => {
        eddy.log.error(
          { waitedMs: shutdownTimeoutMs },
          'handlers did not finish; exiting without saving their records as done',
        )
        process.exit(1)
      }, shutdownTimeoutMs)
      watchdog.unref()
      void Promise.resolve(server?.close())
        .then(() => eddy.close())
        .then(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  eddy.log.info('stopped')
}
