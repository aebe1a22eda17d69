/** `eddy replay CONSUMER --from POSITION`: move a consumer's checkpoints back, after a confirmation. */
import { createInterface } from 'node:readline/promises'
import type { ReplayOptions } from '../../consumers/replay.ts'
import { ValidationError } from '../../errors.ts'
import { withEddy, printJson, printTable, type CommonOptions } from '../context.ts'

export interface ReplayCommandOptions extends CommonOptions {
  from: string
  yes?: boolean
}

/** A sequence number (digits) or a time (ISO 8601, or milliseconds since the epoch with `ms:`). */
export function parsePosition(text: string): ReplayOptions {
  if (/^\d{1,20}$/.test(text)) return { fromSequenceNumber: text }
  const timeMs = text.startsWith('ms:') ? Number(text.slice(3)) : Date.parse(text)
  if (!Number.isFinite(timeMs)) {
    throw new ValidationError(
      `--from ${JSON.stringify(text)} is not a position: give a sequence number (digits) or a time ` +
        '(ISO 8601 such as 2026-01-31T12:00:00Z, or ms:1767182400000)',
    )
  }
  return { fromTimeMs: timeMs }
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new ValidationError('Replay needs a confirmation: run it in a terminal or pass --yes')
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  const answer = await prompt.question(`${question} [y/N] `)
  prompt.close()
  return /^y(es)?$/i.test(answer.trim())
}

export async function replayCommand(
  consumer: string,
  options: ReplayCommandOptions,
): Promise<void> {
  const position = parsePosition(options.from)
  return withEddy(options, async (eddy) => {
    const moves = await eddy.replay(consumer, { ...position, dryRun: true })
    if (!options.json) {
      printTable(
        ['shard', 'checkpoint now', 'checkpoint after'],
        moves.map((m) => [m.shard, m.previousCheckpoint, m.checkpoint]),
      )
    }
    if (
      !options.yes &&
      !(await confirm(`Move the checkpoints of consumer "${consumer}" as shown?`))
    ) {
      process.stderr.write('replay cancelled; nothing changed\n')
      return
    }
    const done = await eddy.replay(consumer, position)
    if (options.json) printJson({ consumer, shards: done })
    else process.stdout.write(`moved ${done.length} checkpoint(s) of consumer "${consumer}"\n`)
  })
}
