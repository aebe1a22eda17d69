/** `eddy dev`: runs the config's consumers until SIGINT or SIGTERM. */
import { openFromCli, type CommonOptions } from '../context.ts'

/** How long a stop may wait for handlers in flight before the process exits anyway. */
const shutdownTimeoutMs = 10_000

export async function devCommand(options: CommonOptions): Promise<void> {
  const eddy = await openFromCli(options, 'info', { mustExist: false })
  await eddy.start()
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
      void eddy.close().then(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  eddy.log.info('stopped')
}
