import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../helpers.ts'

const root = new URL('../..', import.meta.url).pathname

test('package - the built entry point runs in plain Node, without a TypeScript loader', () => {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.equal(build.status, 0, build.stdout + build.stderr)

  const dir = tempDir()
  const script = join(dir, 'app.mjs')
  writeFileSync(
    script,
    `import { open, createLogger } from ${JSON.stringify(join(root, 'dist/index.js'))}
const seen = []
const eddy = await open({
  store: { path: ${JSON.stringify(join(dir, 'eddy.db'))} },
  tables: [{ name: 'users', partitionKey: { name: 'id', type: 'string' } }],
  consumers: [{ name: 'c', stream: 'users', handleRecord: (r) => { seen.push(r.keys.id) } }],
}, { logger: createLogger({ level: 'silent' }) })
await eddy.start()
await eddy.table('users').put({ id: 'u1' })
await eddy.waitUntilCaughtUp()
await eddy.close()
console.log(JSON.stringify(seen))
`,
  )
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
  assert.equal(run.stdout.trim(), '["u1"]')
})
