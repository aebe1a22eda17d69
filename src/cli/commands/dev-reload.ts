/**
 * Reloading for `eddy dev`. Node cannot forget an imported ES module, so consumers are reloaded
 * by restarting the process that runs them: `eddy dev` validates the config, runs `eddy start` in
 * a child process, and watches the config's folder (and, recursively, its subfolders other than
 * node_modules, dist and dot folders). When a .ts, .mts, .js, .mjs, .cjs or .json file changes,
 * the child is stopped as on Ctrl-C (its handlers finish) and started again. A child that fails
 * to start waits for the next change. SIGINT or SIGTERM stop the child, then `eddy dev`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, watch, type FSWatcher } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findConfigFile, loadConfig } from '../../config/index.ts'
import { createLogger, type Logger } from '../../observe/logger.ts'
import { checkServerOptions, serverOptionsFrom } from '../../server/index.ts'
import { shutdownTimeoutMs, type RunOptions } from './dev.ts'

const watchedExtensions = /\.(ts|mts|cts|js|mjs|cjs|json)$/
const skippedFolders = new Set(['node_modules', 'dist', 'build', 'coverage'])
/** Quiet time after the last change before a restart: editors write files in several steps. */
const debounceMs = 200
const eddyBin = fileURLToPath(new URL('../../../bin/eddy.js', import.meta.url))

/** Runs `eddy start` in a child process until a signal; restarts it when watched files change. */
export async function runWithReload(options: RunOptions): Promise<void> {
  const configFile = findConfigFile(options.config)
  const config = await loadConfig(configFile)
  // A server setting that `eddy start` would refuse fails here, once, instead of in every child.
  const serverOptions = serverOptionsFrom(config.server, { host: options.host, port: options.port })
  if (serverOptions) checkServerOptions(serverOptions)
  const log = createLogger({ level: options.logLevel ?? config.log?.level ?? 'info' })
  const args = childArgs(configFile, options)

  let child: ChildProcess | null = startChild(args, log)
  let stopping = false
  let timer: NodeJS.Timeout | null = null
  // Restarts run one after another, so that a change during a restart never starts two children.
  let restarting = Promise.resolve()
  const restart = async (file: string) => {
    if (stopping) return
    log.info({ file }, 'a file changed: restarting the consumers')
    await stopChild(child)
    if (!stopping) child = startChild(args, log)
  }
  const watchers = watchFolder(dirname(configFile), (file) => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => (restarting = restarting.then(() => restart(file))), debounceMs)
  })

  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return
      stopping = true
      if (timer) clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
      void restarting.then(() => stopChild(child)).then(resolve)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  process.exitCode = child?.exitCode ?? 0
}

function childArgs(configFile: string, options: RunOptions): string[] {
  const args = [eddyBin, 'start', '--config', configFile]
  if (options.store) args.push('--store', options.store)
  if (options.logLevel) args.push('--log-level', options.logLevel)
  if (options.host !== undefined) args.push('--host', options.host)
  if (options.port !== undefined) args.push('--port', String(options.port))
  return args
}

function startChild(args: string[], log: Logger): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: 'inherit' })
  child.once('exit', (code, signal) => {
    if (code !== 0 || signal) {
      log.error({ code, signal }, 'the app stopped; fix the error and save a file to restart')
    }
  })
  return child
}

/** Stops the child as Ctrl-C would; kills it when it outlives its own shutdown bound. */
async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const kill = setTimeout(() => child.kill('SIGKILL'), shutdownTimeoutMs + 2000)
  await exited
  clearTimeout(kill)
}

/** Watches `folder` and its subfolders (not node_modules, dist or dot folders) for code changes. */
function watchFolder(folder: string, onChange: (file: string) => void): FSWatcher[] {
  const listen = (dir: string, recursive: boolean) =>
    watch(dir, { recursive }, (_event, name) => {
      if (name && watchedExtensions.test(name)) onChange(join(dir, name))
    })
  const subfolders = readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !skippedFolders.has(e.name))
    .map((e) => join(folder, e.name))
  return [listen(folder, false), ...subfolders.map((dir) => listen(dir, true))]
}
