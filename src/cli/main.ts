/**
 * The `eddy` command line: one function per subcommand, each a thin shell over the library.
 * A failure prints one line to standard error (the stack only with --debug) and exits 1.
 */
import { createRequire } from 'node:module'
import { Command, InvalidArgumentError, Option } from 'commander'
import { EddyError } from '../errors.ts'
import { consumersListCommand, setEnabledCommand } from './commands/consumers.ts'
import { devCommand, startCommand } from './commands/dev.ts'
import { initCommand } from './commands/init.ts'
import {
  deleteCommand,
  getCommand,
  publishCommand,
  putCommand,
  queryCommand,
} from './commands/items.ts'
import {
  streamsDescribeCommand,
  streamsListCommand,
  streamsReadCommand,
} from './commands/streams.ts'
import { dlqListCommand } from './commands/dlq-list.ts'
import { dlqMoveCommand } from './commands/dlq-move.ts'
import { dlqShowCommand } from './commands/dlq-show.ts'
import { keyOption, reprocessCommand, timeOption } from './commands/dlq.ts'
import { replayCommand } from './commands/replay.ts'
import { schemaCheckCommand, schemaInferCommand } from './commands/schema.ts'
import { statusCommand } from './commands/status.ts'

function positiveInteger(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1')
  return number
}

function port(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new InvalidArgumentError('expected a port from 0 to 65535')
  }
  return number
}

function positiveNumber(value: string): number {
  const number = Number(value)
  if (!(number > 0) || !Number.isFinite(number)) {
    throw new InvalidArgumentError('expected a positive number')
  }
  return number
}

function wholeSeconds(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0 || number > 43_200) {
    throw new InvalidArgumentError('expected whole seconds from 0 to 43200')
  }
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

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

const program = new Command('eddy')
  .version(version, '-v, --version', 'print the version of eddy')
  .description('Table change streams, consumers, dead-letter queues: on SQLite, no setup')
  .option('--debug', 'print stack traces of errors')
  .showHelpAfterError('(run with --help for usage)')

program
  .command('init')
  .description('write a small working project: eddy.config.ts and a .gitignore line for .eddy/')
  .argument('[folder]', 'where to write it (default: this folder)')
  .option('--json', 'print the files written as one JSON object')
  .addHelpText('after', '\nExamples:\n  eddy init\n  eddy init my-app')
  .action(initCommand)

withCommonOptions(program.command('dev'))
  .description(
    'run the consumers, alarms and HTTP API of the config until Ctrl-C; restart them when the ' +
      'config or a code file beside it changes',
  )
  .option('--host <address>', 'address of the HTTP API (default 127.0.0.1; others need a token)')
  .option('--port <port>', 'port of the HTTP API (default 4680; 0 picks a free one)', port)
  .addHelpText(
    'after',
    '\nExamples:\n  eddy dev --config examples/movies/eddy.config.ts\n  eddy dev --port 8080',
  )
  .action(devCommand)

withCommonOptions(program.command('start'))
  .description(
    'run the consumers, alarms and HTTP API of the config until SIGINT or SIGTERM (production)',
  )
  .option('--host <address>', 'address of the HTTP API (default 127.0.0.1; others need a token)')
  .option('--port <port>', 'port of the HTTP API (default 4680; 0 picks a free one)', port)
  .addHelpText(
    'after',
    '\nExamples:\n  eddy start\n  eddy start --config eddy.config.mjs --log-level warn --port 8080',
  )
  .action(startCommand)

const streams = program.command('streams').description('streams: list, describe, read')
withCommonOptions(streams.command('list'))
  .description('list the streams with their shards, records and oldest record')
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExample:\n  eddy streams list --json')
  .action(streamsListCommand)
withCommonOptions(streams.command('describe'))
  .description("show a stream's settings and each shard's records and last sequence number")
  .argument('<stream>', 'the stream (a table name, or a standalone stream)')
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExample:\n  eddy streams describe users')
  .action(streamsDescribeCommand)
withCommonOptions(streams.command('read'))
  .description('read records of STREAM from a position, for debugging (nothing is consumed)')
  .argument('<stream>', 'the stream')
  .option('--shard <id>', 'only this shard, such as shard-0001 (default: every shard)')
  .option(
    '--from <position>',
    'trim-horizon (default), latest, a sequence number, or a time (ISO 8601, ms:<epoch ms>)',
  )
  .option('--limit <count>', 'show at most this many records (default 20)', positiveInteger)
  .option('--json', 'print the records as one JSON object')
  .addHelpText(
    'after',
    '\nExamples:\n  eddy streams read users --limit 5\n' +
      '  eddy streams read users --shard shard-0001 --from 2026-01-31T12:00:00Z --json',
  )
  .action(streamsReadCommand)

withCommonOptions(program.command('put'))
  .description('write an item to TABLE (its change record goes to the stream)')
  .argument('<table>', 'the table')
  .argument('<item>', 'the item as a JSON object')
  .option('--json', 'print the result as one JSON object')
  .addHelpText('after', `\nExample:\n  eddy put users '{"id":"u1","fullname":"Ada Lovelace"}'`)
  .action(putCommand)
withCommonOptions(program.command('get'))
  .description('read one item of TABLE by its key')
  .argument('<table>', 'the table')
  .argument('<key>', 'the key attributes as a JSON object')
  .option('--json', 'print the item as one JSON object')
  .addHelpText('after', `\nExample:\n  eddy get users '{"id":"u1"}' --json`)
  .action(getCommand)
withCommonOptions(program.command('delete'))
  .description('delete one item of TABLE by its key')
  .argument('<table>', 'the table')
  .argument('<key>', 'the key attributes as a JSON object')
  .option('--json', 'print the result as one JSON object')
  .addHelpText('after', `\nExample:\n  eddy delete users '{"id":"u1"}'`)
  .action(deleteCommand)
withCommonOptions(program.command('query'))
  .description('list the items of TABLE with one partition key value, in sort key order')
  .argument('<table>', 'the table')
  .argument('<partitionKey>', 'the partition key value')
  .option('--limit <count>', 'at most this many items (default 100)', positiveInteger)
  .option('--backward', 'in descending sort key order')
  .option('--json', 'print the page as one JSON object')
  .addHelpText('after', '\nExample:\n  eddy query orders customer-42 --limit 10 --backward')
  .action(queryCommand)
withCommonOptions(program.command('publish'))
  .description('publish a record to a standalone STREAM')
  .argument('<stream>', 'the standalone stream')
  .argument('<data>', 'the payload: JSON, or plain text published as a string')
  .requiredOption('-k, --partition-key <key>', 'decides the shard; one key stays in order')
  .option('--json', 'print where it landed as one JSON object')
  .addHelpText('after', `\nExample:\n  eddy publish clicks '{"page":"/"}' --partition-key user-1`)
  .action(publishCommand)

withCommonOptions(program.command('status'))
  .description(
    'show streams, each consumer shard (checkpoint, behind, iterator age, errors), queues and ' +
      'alarms',
  )
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExamples:\n  eddy status\n  eddy status --json | jq .consumers')
  .action(statusCommand)

const dlq = program.command('dlq').description('dead-letter queues: list, show, reprocess, move')
withCommonOptions(dlq.command('list'))
  .description('list the dead-letter queues with what feeds them, their depth and oldest message')
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExamples:\n  eddy dlq list\n  eddy dlq list --json')
  .action(dlqListCommand)

withCommonOptions(dlq.command('show'))
  .description('show the messages of QUEUE without receiving them (nothing is hidden or counted)')
  .argument('<queue>', 'the dead-letter queue')
  .option('--limit <count>', 'show at most this many messages (default 20)', positiveInteger)
  .option('--json', 'print one JSON object')
  .addHelpText('after', '\nExample:\n  eddy dlq show ratings-dlq --limit 5')
  .action(dlqShowCommand)

withCommonOptions(dlq.command('reprocess'))
  .description(
    "run each dead letter of QUEUE through its consumer's record handler; delete on success",
  )
  .argument('<queue>', 'the dead-letter queue')
  .option('--consumer <name>', 'use this consumer instead of the one named in each message')
  .option('--limit <count>', 'run at most this many messages', positiveInteger)
  .option('--rate <perSecond>', 'start at most this many handlers a second', positiveNumber)
  .option('--concurrency <count>', 'handlers at once, 1 to 100 (default 1)', positiveInteger)
  .option('--dry-run', 'show what would run and through which consumer; change nothing')
  .option('--error <text>', 'only dead letters whose error contains this text')
  .option('--from-consumer <name>', 'only dead letters of this consumer')
  .option('--key <name=value>', 'only records with this key value (repeatable)', keyOption)
  .option('--since <time>', 'only records that last failed at or after (ISO, 2h, 1d)', timeOption)
  .option('--until <time>', 'only records that last failed before this time', timeOption)
  .option(
    '--visibility-timeout <seconds>',
    'how long a running or failed message stays hidden (default 30)',
    wholeSeconds,
  )
  .option('--json', 'print the summary as one JSON object')
  .addHelpText(
    'after',
    '\nExamples:\n  eddy dlq reprocess ratings-dlq --dry-run\n' +
      '  eddy dlq reprocess ratings-dlq --error "rating" --rate 50 --concurrency 4',
  )
  .action(reprocessCommand)

withCommonOptions(dlq.command('move'))
  .description('move the messages of QUEUE to their source queue or to --to, as new messages')
  .argument('<queue>', 'the queue to move messages out of')
  .option('--to <queue>', 'destination of every message (default: the queue it was redriven from)')
  .option('--rate <perSecond>', 'move at most this many messages a second', positiveNumber)
  .option('--limit <count>', 'move at most this many messages', positiveInteger)
  .option('--json', 'print the summary as one JSON object')
  .addHelpText(
    'after',
    '\nExamples:\n  eddy dlq move jobs-dlq\n  eddy dlq move ratings-dlq --to ratings-retry --rate 50',
  )
  .action(dlqMoveCommand)

const consumers = program.command('consumers').description('consumers (event source mappings)')
for (const enabled of [true, false]) {
  withCommonOptions(consumers.command(enabled ? 'enable' : 'disable'))
    .description(
      enabled ? 'resume a consumer from its checkpoint' : 'pause a consumer; its checkpoint stays',
    )
    .argument('<consumer>', 'the consumer')
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      `\nExample:\n  eddy consumers ${enabled ? 'enable' : 'disable'} search-index`,
    )
    .action(setEnabledCommand(enabled))
}
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

withCommonOptions(program.command('replay'))
  .description("move a consumer's checkpoints back to a sequence number or a time (asks first)")
  .argument('<consumer>', 'the consumer to replay')
  .requiredOption('--from <position>', 'sequence number, ISO 8601 time, or ms:<epoch milliseconds>')
  .option('--yes', 'do not ask for a confirmation')
  .option('--json', 'print the moves as one JSON object')
  .addHelpText(
    'after',
    '\nExamples:\n  eddy replay search-index --from 2026-01-31T12:00:00Z\n  eddy replay search-index --from 00000000000000000042 --yes',
  )
  .action(replayCommand)

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
