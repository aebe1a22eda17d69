/**
 * Quick tries on a table and a standalone stream, as JSON on the command line:
 * `eddy put TABLE ITEM`, `eddy get TABLE KEY`, `eddy delete TABLE KEY`,
 * `eddy query TABLE PARTITION_KEY_VALUE`, `eddy publish STREAM DATA --partition-key KEY`.
 * Writes go through the library, so they append change records as an app's writes do.
 */
import { NotFoundError, ValidationError } from '../../errors.ts'
import type { Item } from '../../streams/types.ts'
import { printJson, printTable, withEddy, type CommonOptions } from '../context.ts'

export interface QueryCommandOptions extends CommonOptions {
  limit?: number
  backward?: boolean
}

export interface PublishCommandOptions extends CommonOptions {
  partitionKey: string
}

/** Parses a JSON object argument; `what` names it in the error. */
export function parseObject(text: string, what: string): Item {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ValidationError(
      `${what} ${JSON.stringify(text)} is not JSON: quote it for the shell, as '{"id":"u1"}'`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`${what} must be a JSON object such as '{"id":"u1"}'`)
  }
  return value as Item
}

export async function putCommand(table: string, item: string, options: CommonOptions) {
  const parsed = parseObject(item, 'ITEM')
  // A first put may come before `eddy dev` ever ran: it creates the store.
  return withEddy(
    options,
    async (eddy) => {
      const result = await eddy.table(table).put(parsed)
      if (options.json) return printJson({ table, ...result })
      process.stdout.write(
        result.eventName
          ? `put into ${table}: ${result.eventName}, sequence number ${result.sequenceNumber}\n`
          : `put into ${table}: the item did not change; no change record\n`,
      )
    },
    'warn',
    { mustExist: false },
  )
}

export async function getCommand(table: string, key: string, options: CommonOptions) {
  const parsed = parseObject(key, 'KEY')
  return withEddy(options, async (eddy) => {
    const item = await eddy.table(table).get(parsed)
    if (!item) {
      throw new NotFoundError(
        `No item with key ${JSON.stringify(parsed)} in table "${table}": try eddy query ${table} <partition key value>`,
      )
    }
    if (options.json) return printJson({ table, item })
    printItems([item])
  })
}

export async function deleteCommand(table: string, key: string, options: CommonOptions) {
  const parsed = parseObject(key, 'KEY')
  return withEddy(options, async (eddy) => {
    const result = await eddy.table(table).delete(parsed)
    if (options.json) return printJson({ table, deleted: result.eventName === 'REMOVE', ...result })
    process.stdout.write(
      result.eventName === 'REMOVE'
        ? `deleted from ${table}, sequence number ${result.sequenceNumber}\n`
        : `no item with key ${JSON.stringify(parsed)} in ${table}; nothing deleted\n`,
    )
  })
}

export async function queryCommand(table: string, value: string, options: QueryCommandOptions) {
  return withEddy(options, async (eddy) => {
    const handle = eddy.table(table)
    const { type } = handle.definition.partitionKey
    const partitionKey = type === 'number' ? Number(value) : value
    if (type === 'number' && !Number.isFinite(partitionKey)) {
      throw new ValidationError(
        `Partition key value ${JSON.stringify(value)} is not a number, which table "${table}" keys by`,
      )
    }
    const page = await handle.query({
      partitionKey,
      limit: options.limit ?? 100,
      forward: !options.backward,
    })
    if (options.json) return printJson({ table, ...page })
    printItems(page.items)
    const more = page.lastEvaluatedKey ? ' (more follow: raise --limit)' : ''
    process.stdout.write(`${page.count} item(s)${more}\n`)
  })
}

export async function publishCommand(stream: string, data: string, options: PublishCommandOptions) {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    parsed = data // Plain text is published as a string.
  }
  return withEddy(
    options,
    async (eddy) => {
      const [placed] = await eddy
        .stream(stream)
        .publish([{ partitionKey: options.partitionKey, data: parsed }])
      if (options.json) return printJson({ stream, ...placed })
      process.stdout.write(
        `published to ${stream}: ${placed?.shardId}, sequence number ${placed?.sequenceNumber}\n`,
      )
    },
    'warn',
    { mustExist: false },
  )
}

/** Items as a table: one column per top-level attribute, values as JSON. */
function printItems(items: Item[]): void {
  const columns = [...new Set(items.flatMap((item) => Object.keys(item)))].slice(0, 8)
  printTable(
    columns,
    items.map((item) =>
      columns.map((c) => (item[c] === undefined ? null : JSON.stringify(item[c]))),
    ),
  )
}
