// Runs every *.test.ts file under src/, test/ and examples/ with Node's test runner and the tsx
// loader. Node 20's --test does not find .ts files or expand ** itself, so this lists them.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(path)
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : ['src', 'test', 'examples'].flatMap(findTests).sort()
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
