/**
 * `eddy init [folder]`: writes a small working project: eddy.config.ts with a table, its stream
 * and a consumer that dead-letters its failures, and `.eddy/` in .gitignore. It never replaces
 * an existing file; an existing .gitignore gets the line appended when it lacks it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { configFileNames } from '../../config/index.ts'
import { ConflictError } from '../../errors.ts'
import { printJson } from '../context.ts'

export interface InitOptions {
  json?: boolean
}

// The config imports only a type, so that it loads before eddy is installed in the folder.
const configTemplate = `import type { EddyConfig } from 'eddy'

// Run \`npx eddy dev\`, then in another terminal:
//   npx eddy put users '{"id":"u1","fullname":"Ada Lovelace","email":"ada@example.com"}'
//   npx eddy status
export default {
  store: { path: '.eddy/eddy.db' },
  tables: [
    {
      name: 'users',
      partitionKey: { name: 'id', type: 'string' },
      stream: { viewType: 'NEW_AND_OLD_IMAGES', shards: 2 },
    },
  ],
  consumers: [
    {
      name: 'welcome',
      stream: 'users',
      onFailure: { deadLetter: 'welcome-dlq' }, // or 'log', or 'retry'
      handleRecord: async (record, context) => {
        if (record.eventName !== 'INSERT') return
        const email = record.newImage?.email
        if (typeof email !== 'string') throw new Error('the new user has no email')
        context.log.info({ email }, 'would send a welcome mail')
      },
    },
  ],
  alarms: [
    { name: 'welcome-dead-letters', metric: 'deadLettered', consumer: 'welcome', threshold: 1 },
  ],
} satisfies EddyConfig
`

export async function initCommand(folder: string | undefined, options: InitOptions) {
  const dir = resolve(folder ?? '.')
  const existing = configFileNames.map((name) => join(dir, name)).filter((f) => existsSync(f))
  if (existing.length > 0) {
    throw new ConflictError(
      `${existing[0]} already exists; eddy init replaces no file: pick another folder`,
    )
  }
  mkdirSync(dir, { recursive: true })
  const config = join(dir, 'eddy.config.ts')
  writeFileSync(config, configTemplate, { flag: 'wx' })
  const gitignore = join(dir, '.gitignore')
  const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : ''
  const addIgnore = !ignored.split(/\r?\n/).some((line) => /^\/?\.eddy\/?$/.test(line.trim()))
  if (addIgnore) {
    const separator = ignored === '' || ignored.endsWith('\n') ? '' : '\n'
    writeFileSync(gitignore, `${ignored}${separator}.eddy/\n`)
  }

  const files = [config, ...(addIgnore ? [gitignore] : [])]
  const next = [
    ...(folder && resolve(folder) !== process.cwd() ? [`cd ${folder}`] : []),
    'npm install /path/to/eddy   # from a checkout; eddy is not on the registry yet',
    'npx eddy dev',
    `npx eddy put users '{"id":"u1","fullname":"Ada Lovelace","email":"ada@example.com"}'`,
    'npx eddy status',
  ]
  if (options.json) return printJson({ folder: dir, files, next })
  process.stdout.write(`wrote ${files.join(', ')}\n\nnext steps:\n`)
  for (const line of next) process.stdout.write(`  ${line}\n`)
}
