/**
 * The `eddy` command line: one function per subcommand, each a thin shell over the library.
 * A failure prints one line to standard error (the stack only with --debug) and exits 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { EddyError } from '../errors.ts'
import { consumersListCommand } from './commands/consumers.ts'
import { devCommand } from './commands/dev.ts'
import { reprocessCommand } from './commands/dlq.ts'
import { schemaCheckCommand, schemaInferCommand } from './commands/schema.ts'
import { statusCommand } from './commands/status.ts'

function positiveInteger(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1')
  return number
}

function withCommonOptions(command: Command): Command {
  return command
    .option(
      '-c, --config <file>',
      'config file (default: eddy.config.ts, .mjs or .js in this folder)',
    )
    .option('--store <path>', 'database file, instead of the one in the config')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'silent',
        'error',
        'warn',
        'info',
        'debug',
      ]),
    )
}

const program = new Command('eddy')
  .description('Table change streams, consumers, dead-letter queues: on SQLite, no setup')
  .option('--debug', 'print stack traces of errors')
  .showHelpAfterError('(run with --help for usage)')

withCommonOptions(program.command('dev'))
  .description('run the consumers of the config until Ctrl-C')
  .addHelpText('after', '\nExample:\n  eddy dev --config examples/movies/eddy.config.ts')
  .action(devCommand)

withCommonOptions(program.command('status'))
  .description(
    'show streams, each consumer shard (checkpoint, behind, iterator age, errors) and queues',
  )
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExamples:\n  eddy status\n  eddy status --json | jq .consumers')
  .action(statusCommand)

const dlq = program.command('dlq').description('dead-letter queues')
withCommonOptions(dlq.command('reprocess'))
  .description(
    "run each dead letter of QUEUE through its consumer's record handler; delete on success",
  )
  .argument('<queue>', 'the dead-letter queue')
  .option('--consumer <name>', 'use this consumer instead of the one named in each message')
  .option('--limit <count>', 'stop after this many messages', positiveInteger)
  .option('--json', 'print the summary as one JSON object')
  .addHelpText(
    'after',
    '\nExample:\n  eddy dlq reprocess ratings-dlq --config examples/movies/eddy.config.ts',
  )
  .action(reprocessCommand)

const consumers = program.command('consumers').description('consumers (event source mappings)')
withCommonOptions(consumers.command('list'))
  .description('list the consumers, each with its stream, failure mode and contract')
  .option('--stream <name>', 'only the consumers of this stream')
  .option('--json', 'print one JSON array')
  .addHelpText('after', '\nExample:\n  eddy consumers list --stream movies')
  .action(consumersListCommand)

const schema = program.command('schema').description('schemas of streams and consumer contracts')
withCommonOptions(schema.command('check'))
  .description(
    'check a proposed schema (a file, or the config as it now stands) against the compatibility ' +
      "mode and every consumer's contract; exit code 1 when something breaks",
  )
  .option('--schema <file>', 'proposed schema: .json, or a module exporting JSON Schema or zod')
  .option('--stream <name>', 'the stream the schema is for (default: every stream with schemas)')
  .option('--json', 'print one JSON object')
  .addHelpText(
    'after',
    '\nExamples:\n  eddy schema check\n  eddy schema check --stream users --schema users.v3.json',
  )
  .action(schemaCheckCommand)
withCommonOptions(schema.command('infer'))
  .description('infer the schema of the items STREAM has carried')
  .argument('<stream>', 'the stream')
  .option('--sample <count>', 'read at most this many records (default: all)', positiveInteger)
  .option('--json', 'print the JSON Schema')
  .addHelpText(
    'after',
    '\nExample:\n  eddy schema infer movies --sample 1000 --json > movies.schema.json',
  )
  .action(schemaInferCommand)

try {
  await program.parseAsync()
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`eddy: ${message}\n`)
  if (program.opts().debug && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  else if (!(error instanceof EddyError))
    process.stderr.write('(run with --debug for the stack trace)\n')
  process.exitCode = 1
}
