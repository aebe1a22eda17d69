/**
 * Isolated handlers: a consumer whose handler is given as a module (`isolation`) runs it in
 * worker threads, one per call in flight, reused between calls. A call past `handlerTimeoutMs`
 * is ended by terminating its thread (even an endless loop), counts as failed, and the next call
 * gets a fresh thread. Idle threads do not keep the process alive.
 */
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { LogLevel } from '../observe/logger.ts'
import type { ChangeRecord } from '../streams/types.ts'
import type { BatchResponse, ResolvedConsumer } from './definition.ts'
import { HandlerTimeoutError } from './invoke.ts'

/** What the worker thread needs to load the handler. */
export interface IsolationData {
  consumer: string
  moduleUrl: string
  exportName: string
  logLevel: LogLevel
}

export interface IsolatedCall {
  id: number
  kind: 'record' | 'batch'
  records: ChangeRecord[]
  attempt: number
}

export type IsolatedReply =
  | { id: number; value: unknown; error?: undefined }
  | { id: number; error: { name: string; message: string; stack?: string } }

// The worker module sits beside this one: .ts in the sources, .js in the built package.
const workerUrl = new URL(`./isolated-worker${extname(import.meta.url)}`, import.meta.url).href
// Worker threads do not inherit the tsx loader: the thread registers it (through the package's
// own bin/register.js, two folders up from both src/consumers and dist/consumers), then loads
// the worker.
const registerUrl = new URL('../../bin/register.js', import.meta.url).href
const bootstrap = `import(${JSON.stringify(registerUrl)})
  .then(() => import(${JSON.stringify(workerUrl)}))`
const pools = new WeakMap<ResolvedConsumer, IsolatedPool>()
let nextId = 1

/** The thread pool of an isolated consumer, created on first use. */
export function poolOf(consumer: ResolvedConsumer): IsolatedPool {
  let pool = pools.get(consumer)
  if (!pool) {
    pool = new IsolatedPool(consumer)
    pools.set(consumer, pool)
  }
  return pool
}

/** Points an isolated consumer's handler at its thread pool. */
export function bindIsolatedHandler(consumer: ResolvedConsumer): void {
  const pool = poolOf(consumer)
  if (consumer.isolation?.batch) {
    consumer.handleBatch = (records, context) =>
      pool.call('batch', records, context.attempt) as Promise<void | BatchResponse>
  } else {
    consumer.handleRecord = async (record, context) => {
      await pool.call('record', [record], context.attempt)
    }
  }
}

/** Module path (relative to the current folder) or file URL, to a file URL. */
export function moduleUrlOf(module: string): string {
  return module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href
}

export class IsolatedPool {
  readonly #idle: Worker[] = []

  constructor(private readonly consumer: ResolvedConsumer) {}

  /** Runs one call in a thread; resolves to the handler's return value or rejects with its error. */
  async call(
    kind: IsolatedCall['kind'],
    records: ChangeRecord[],
    attempt: number,
  ): Promise<unknown> {
    const worker = this.#idle.pop() ?? (await this.#spawn())
    const id = nextId++
    try {
      const value = await this.#exchange(worker, { id, kind, records, attempt })
      this.#idle.push(worker)
      return value
    } catch (error) {
      if (error instanceof HandlerTimeoutError) await worker.terminate()
      else this.#idle.push(worker)
      throw error
    }
  }

  /** Ends every idle thread. */
  async close(): Promise<void> {
    await Promise.all(this.#idle.splice(0).map((worker) => worker.terminate()))
  }

  /** Starts a thread and waits until it has loaded the handler module (not part of any timeout). */
  async #spawn(): Promise<Worker> {
    const isolation = this.consumer.isolation as { module: string; exportName: string }
    const workerData: IsolationData = {
      consumer: this.consumer.name,
      moduleUrl: moduleUrlOf(isolation.module),
      exportName: isolation.exportName,
      logLevel: 'warn',
    }
    const worker = new Worker(bootstrap, { eval: true, workerData })
    worker.unref()
    await new Promise<void>((resolveReady, reject) => {
      worker.once('message', () => resolveReady())
      worker.once('error', reject)
    })
    worker.removeAllListeners('error')
    // A thread that dies while idle is dropped; the next call starts a fresh one.
    worker.on('error', () => {
      const index = this.#idle.indexOf(worker)
      if (index !== -1) this.#idle.splice(index, 1)
    })
    return worker
  }

  #exchange(worker: Worker, call: IsolatedCall): Promise<unknown> {
    const timeoutMs = this.consumer.handlerTimeoutMs
    return new Promise((resolvePromise, reject) => {
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(
              () => finish(() => reject(new HandlerTimeoutError(this.consumer.name, timeoutMs))),
              timeoutMs,
            )
      const onMessage = (reply: IsolatedReply) => {
        if (reply.id !== call.id) return
        finish(() => (reply.error ? reject(toError(reply.error)) : resolvePromise(reply.value)))
      }
      const onError = (error: Error) => finish(() => reject(error))
      const finish = (settle: () => void) => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        worker.off('error', onError)
        settle()
      }
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.postMessage(call)
    })
  }
}

function toError(reply: { name: string; message: string; stack?: string }): Error {
  const error = new Error(reply.message)
  error.name = reply.name
  if (reply.stack) error.stack = reply.stack
  return error
}
