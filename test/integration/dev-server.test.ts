import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir, waitFor } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname

function writeConfig(dir: string, server: object): string {
  const file = join(dir, 'eddy.config.mjs')
  const config = {
    store: { path: join(dir, 'eddy.db') },
    tables: [{ name: 'notes', partitionKey: { name: 'id', type: 'string' } }],
    server,
  }
  writeFileSync(file, `export default ${JSON.stringify(config)}\n`)
  return file
}

function startDev(args: string[]) {
  const dev = spawn(process.execPath, [join(root, 'bin/eddy.js'), 'dev', ...args])
  let stderr = ''
  dev.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => dev.once('exit', resolve))
  return { dev, exited, stderr: () => stderr }
}

test('dev - serves HTTP on the port it picked and stops on SIGTERM', async () => {
  const config = writeConfig(tempDir(), {})
  const { dev, exited, stderr } = startDev(['--config', config, '--port', '0'])

  // Standard error is not a terminal, so log lines are JSON; one carries the bound URL.
  let url = ''
  await waitFor(() => {
    url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderr())?.[1] ?? ''
    return url !== ''
  })
  const put = await fetch(`${url}/tables/notes/items`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: { id: 'n1', text: 'hello' } }),
  })
  assert.equal(put.status, 200)
  const got = await fetch(`${url}/tables/notes/items?id=n1`)
  assert.deepEqual(await got.json(), { item: { id: 'n1', text: 'hello' } })

  dev.kill('SIGTERM')
  assert.equal(await exited, 0)
  await assert.rejects(fetch(`${url}/health`), 'the server is closed')
})

test('dev - refuses to start on a non-loopback address without a token', async () => {
  const config = writeConfig(tempDir(), { host: '0.0.0.0', port: 0 })
  const { exited, stderr } = startDev(['--config', config])
  assert.equal(await exited, 1)
  assert.match(stderr(), /Refusing to serve HTTP on 0\.0\.0\.0 without an access token/)
})

test('dev - does not serve HTTP when the config disables it', async () => {
  const config = writeConfig(tempDir(), { enabled: false })
  const { dev, exited, stderr } = startDev(['--config', config, '--log-level', 'info'])
  await waitFor(() => stderr().includes('eddy is running'))
  assert.doesNotMatch(stderr(), /serving HTTP/)
  dev.kill('SIGTERM')
  assert.equal(await exited, 0)
})
