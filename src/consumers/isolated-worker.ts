/**
 * The worker-thread side of isolated handlers: loads the handler module named in `workerData`,
 * then runs each call it is sent and answers with the outcome. A call that never returns is
 * ended from outside by terminating the thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createLogger } from '../observe/logger.ts'
import type { IsolatedCall, IsolatedReply, IsolationData } from './isolated.ts'

const data = workerData as IsolationData
const loaded = (await import(data.moduleUrl)) as Record<string, unknown>
const handler = loaded[data.exportName]
const log = createLogger({ level: data.logLevel })

parentPort?.on('message', (call: IsolatedCall) => void run(call))
parentPort?.postMessage({ ready: true })

async function run(call: IsolatedCall): Promise<void> {
  const context = {
    consumer: data.consumer,
    attempt: call.attempt,
    log: log.child({ consumer: data.consumer }),
    transact: () => {
      throw new Error('context.transact is not available in an isolated handler')
    },
  }
  let reply: IsolatedReply
  try {
    if (typeof handler !== 'function') {
      throw new Error(`Module ${data.moduleUrl} has no function export "${data.exportName}"`)
    }
    const argument = call.kind === 'record' ? call.records[0] : call.records
    reply = { id: call.id, value: await handler(argument, context) }
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown))
    reply = { id: call.id, error: { name: error.name, message: error.message, stack: error.stack } }
  }
  parentPort?.postMessage(reply)
}
