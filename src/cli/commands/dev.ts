/**
 * `eddy start`: runs the config's consumers and alarms until SIGINT or SIGTERM.
 * `eddy dev`: the same, restarted when the config or a file beside it changes (see dev-reload.ts).
 */
import { openFromCli, type CommonOptions } from '../context.ts'
import { runWithReload } from './dev-reload.ts'

/** How long a stop may wait for handlers in flight before the process exits anyway. */
export const shutdownTimeoutMs = 10_000

/** Runs everything the config declares until a signal; what `eddy start` does. */
export async function runApp(options: CommonOptions): Promise<void> {
  const eddy = await openFromCli(options, 'info', { mustExist: false })
  await eddy.start()
  eddy.log.info(
    { store: eddy.store.location, consumers: eddy.consumers().map((c) => c.name) },
    'eddy is running; press Ctrl-C to stop',
  )

  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (signal: NodeJS.Signals) => {
      // Ctrl-C reaches both `eddy dev` and its child, which then also gets SIGTERM: stop once.
      if (stopping) return
      stopping = true
      eddy.log.info({ signal }, 'stopping: finishing the records in the handlers')
      const watchdog = setTimeout(() => {
        eddy.log.error(
          { waitedMs: shutdownTimeoutMs },
          'handlers did not finish; exiting without saving their records as done',
        )
        process.exit(1)
      }, shutdownTimeoutMs)
      watchdog.unref()
      void eddy.close().then(resolve)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  eddy.log.info('stopped')
}

/** `eddy start`: for production, no reloading. */
export const startCommand = runApp

/** `eddy dev`: `eddy start` in a child process, restarted when the app's files change. */
export async function devCommand(options: CommonOptions): Promise<void> {
  await runWithReload(options)
}
