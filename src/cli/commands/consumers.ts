/**
 * `eddy consumers list`: who consumes a stream, how it fails, and what it reads (its contract).
 * `eddy consumers enable|disable NAME`: pause or resume a consumer in every process; checkpoints
 * stay.
 */
import type { ResolvedConsumer } from '../../consumers/index.ts'
import { NotFoundError } from '../../errors.ts'
import { formatTypes } from '../../schemas/index.ts'
import { withEddy, printJson, printTable, type CommonOptions } from '../context.ts'

export interface ConsumersListOptions extends CommonOptions {
  stream?: string
}

function failureModeOf(consumer: ResolvedConsumer): string {
  const mode = consumer.onFailure
  return typeof mode === 'string' ? mode : `dead-letter to ${mode.deadLetter}`
}

function contractFieldsOf(consumer: ResolvedConsumer) {
  if (!consumer.contract) return []
  return [...consumer.contract.fields.values()].map((f) => ({
    path: f.path,
    types: f.types,
    required: f.required,
    ...(f.enum ? { enum: f.enum } : {}),
  }))
}

function describeContract(consumer: ResolvedConsumer): string {
  const fields = contractFieldsOf(consumer)
  if (!consumer.contract) return '(none)'
  return fields
    .map(
      (f) =>
        `${f.path}: ${formatTypes(f.types)}${f.required ? '' : '?'}${f.enum ? ` ${JSON.stringify(f.enum)}` : ''}`,
    )
    .join('\n')
}

export async function consumersListCommand(options: ConsumersListOptions): Promise<void> {
  return withEddy(
    options,
    async (eddy) => {
      if (options.stream && !(await eddy.store.getStream(options.stream))) {
        throw new NotFoundError(`Stream "${options.stream}" is not declared: check --stream`)
      }
      const consumers = eddy
        .consumers()
        .filter((c) => !options.stream || c.stream === options.stream)
      if (options.json) {
        return printJson(
          consumers.map((c) => ({
            consumer: c.name,
            stream: c.stream,
            onFailure: c.onFailure,
            batchSize: c.batchSize,
            startingPosition: c.startingPosition,
            contract: c.contract
              ? { schema: c.contract.schema, fields: contractFieldsOf(c) }
              : null,
          })),
        )
      }

      printTable(
        ['consumer', 'stream', 'on failure', 'batch size', 'contract (field: type, ? = optional)'],
        consumers.map((c) => [
          c.name,
          c.stream,
          failureModeOf(c),
          c.batchSize,
          describeContract(c),
        ]),
      )
    },
    'warn',
    { mustExist: false },
  )
}

export function setEnabledCommand(enabled: boolean) {
  return async (consumer: string, options: CommonOptions): Promise<void> => {
    return withEddy(options, async (eddy) => {
      await eddy.setEnabled(consumer, enabled)
      if (options.json) printJson({ consumer, enabled })
      else process.stdout.write(`consumer "${consumer}" ${enabled ? 'enabled' : 'disabled'}\n`)
    })
  }
}
