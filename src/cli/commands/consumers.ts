/** `eddy consumers enable|disable NAME`: pause or resume a consumer in every process; checkpoints stay. */
import { openFromCli, printJson, type CommonOptions } from '../context.ts'

export function setEnabledCommand(enabled: boolean) {
  return async (consumer: string, options: CommonOptions): Promise<void> => {
    const eddy = await openFromCli(options)
    try {
      await eddy.setEnabled(consumer, enabled)
      if (options.json) printJson({ consumer, enabled })
      else process.stdout.write(`consumer "${consumer}" ${enabled ? 'enabled' : 'disabled'}\n`)
    } finally {
      await eddy.close()
    }
  }
}
