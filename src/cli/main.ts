/**
 * The `eddy` command line: one function per subcommand, each a thin shell over the library.
 * A failure prints one line to standard error (the stack only with --debug) and exits 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { EddyError } from '../errors.ts'
import { setEnabledCommand } from './commands/consumers.ts'
import { devCommand } from './commands/dev.ts'
import { reprocessCommand } from './commands/dlq.ts'
import { replayCommand } from './commands/replay.ts'
import { statusCommand } from './commands/status.ts'

function positiveInteger(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number of at least 1')
  return number
}

function withCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'config file (default: eddy.config.ts, .mjs or .js in this folder)')
    .option('--store <path>', 'database file, instead of the one in the config')
    .addOption(new Option('--log-level <level>', 'log level').choices(['silent', 'error', 'warn', 'info', 'debug']))
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
  .description('show streams, each consumer shard (checkpoint, behind, iterator age, errors) and queues')
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExamples:\n  eddy status\n  eddy status --json | jq .consumers')
  .action(statusCommand)

const dlq = program.command('dlq').description('dead-letter queues')
withCommonOptions(dlq.command('reprocess'))
  .description("run each dead letter of QUEUE through its consumer's record handler; delete on success")
  .argument('<queue>', 'the dead-letter queue')
  .option('--consumer <name>', 'use this consumer instead of the one named in each message')
  .option('--limit <count>', 'stop after this many messages', positiveInteger)
  .option('--json', 'print the summary as one JSON object')
  .addHelpText('after', '\nExample:\n  eddy dlq reprocess ratings-dlq --config examples/movies/eddy.config.ts')
  .action(reprocessCommand)

withCommonOptions(program.command('replay'))
  .description("move a consumer's checkpoints back to a sequence number or a time (asks first)")
  .argument('<consumer>', 'the consumer to replay')
  .requiredOption('--from <position>', 'sequence number, ISO 8601 time, or ms:<epoch milliseconds>')
  .option('--yes', 'do not ask for a confirmation')
  .option('--json', 'print the moves as one JSON object')
  .addHelpText('after', '\nExamples:\n  eddy replay search-index --from 2026-01-31T12:00:00Z\n  eddy replay search-index --from 00000000000000000042 --yes')
  .action(replayCommand)

const consumers = program.command('consumers').description('consumers in the store')
for (const enabled of [true, false]) {
  withCommonOptions(consumers.command(enabled ? 'enable' : 'disable'))
    .description(enabled ? 'resume a consumer from its checkpoint' : 'pause a consumer; its checkpoint stays')
    .argument('<consumer>', 'the consumer')
    .option('--json', 'print the result as one JSON object')
    .action(setEnabledCommand(enabled))
}

try {
  await program.parseAsync()
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`eddy: ${message}\n`)
  if (program.opts().debug && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  else if (!(error instanceof EddyError)) process.stderr.write('(run with --debug for the stack trace)\n')
  process.exitCode = 1
}
