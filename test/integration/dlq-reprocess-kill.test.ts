import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/index.ts'
import { createLogger, open } from '../../src/index.ts'
import { sleep } from './queue-helpers.ts'

const repo = resolve(import.meta.dirname, '../..')
const records = 40

/** A config whose handler fails while EDDY_TEST_BROKEN is set, and otherwise logs a side effect. */
function configSource(dir: string): string {
  return `
import { appendFileSync } from 'node:fs'
import { defineConfig } from ${JSON.stringify(join(repo, 'src/index.ts'))}

export default defineConfig({
  store: { path: ${JSON.stringify(join(dir, 'eddy.db'))}, pollIntervalMs: 20 },
  log: { level: 'silent' },
  tables: [{ name: 'movies', partitionKey: { name: 'title', type: 'string' }, stream: { shards: 2 } }],
  consumers: [{
    name: 'ratings',
    stream: 'movies',
    onFailure: { deadLetter: 'ratings-dlq' },
    handleRecord: async (record) => {
      if (process.env.EDDY_TEST_BROKEN) throw new Error('rating is undefined')
      appendFileSync(${JSON.stringify(join(dir, 'effects.log'))}, record.sequenceNumber + '\\n')
      await new Promise((resolve) => setTimeout(resolve, 25))
    },
  }],
})
`
}

async function fillDeadLetterQueue(configFile: string): Promise<void> {
  process.env.EDDY_TEST_BROKEN = '1'
  const eddy = await open(await loadConfig(configFile), {
    logger: createLogger({ level: 'silent' }),
  })
  try {
    for (let i = 0; i < records; i++)
      await eddy.table('movies').put({ title: `movie ${i}`, score: i })
    await eddy.start()
    await eddy.waitUntilCaughtUp(10_000)
  } finally {
    delete process.env.EDDY_TEST_BROKEN
    await eddy.close()
  }
}

/** Runs `eddy dlq reprocess`; kills it with SIGKILL after `killAfter` reprocessed messages. */
function runReprocess(
  configFile: string,
  killAfter?: number,
): Promise<{ reprocessed: string[]; code: number | null }> {
  const args = [
    'bin/eddy.js',
    'dlq',
    'reprocess',
    'ratings-dlq',
    '--config',
    configFile,
    '--visibility-timeout',
    '1',
  ]
  const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] })
  const reprocessed: string[] = []
  let buffered = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const match = /^reprocessed +message \S+ record (\d+)/.exec(line)
      if (match?.[1]) reprocessed.push(match[1])
      if (killAfter !== undefined && reprocessed.length >= killAfter) child.kill('SIGKILL')
    }
  })
  return new Promise((done) => child.on('exit', (code) => done({ reprocessed, code })))
}

test('dlq reprocess - a run killed with SIGKILL and restarted loses nothing and repeats nothing deleted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-kill-'))
  try {
    const configFile = join(dir, 'eddy.config.ts')
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }')
    await writeFile(configFile, configSource(dir))
    await fillDeadLetterQueue(configFile)

    const first = await runReprocess(configFile, 8)
    assert.equal(first.code, null, 'the first run was killed')
    assert.ok(first.reprocessed.length < records, 'the first run was killed before the end')
    await sleep(1100) // the message in the killed handler becomes visible again
    const second = await runReprocess(configFile)
    assert.equal(second.code, 0)

    const effects = (await readFile(join(dir, 'effects.log'), 'utf8')).trim().split('\n')
    const counts = new Map<string, number>()
    for (const sequence of effects) counts.set(sequence, (counts.get(sequence) ?? 0) + 1)
    assert.equal(counts.size, records, 'every record ran')
    for (const sequence of first.reprocessed)
      assert.equal(counts.get(sequence), 1, `record ${sequence} ran once`)
    assert.ok(effects.length <= records + 1, 'only the record in the killed handler may run twice')
    assert.equal(first.reprocessed.length + second.reprocessed.length, records)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
