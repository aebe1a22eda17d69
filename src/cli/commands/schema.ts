/** `eddy schema ...`: check a proposed schema against modes and contracts, infer a schema. */
import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ValidationError } from '../../errors.ts'
import type { Eddy } from '../../open.ts'
import {
  formatTypes,
  toJsonSchema,
  type JsonSchema,
  type SchemaCheckReport,
} from '../../schemas/index.ts'
import { withEddy, printJson, printTable, type CommonOptions } from '../context.ts'

export interface SchemaCheckOptions extends CommonOptions {
  schema?: string
  stream?: string
}

export interface SchemaInferOptions extends CommonOptions {
  sample?: number
}

/** Reads a proposed schema: a JSON file, or a module whose default export is JSON Schema or zod. */
async function readSchemaFile(file: string): Promise<JsonSchema> {
  const path = resolve(file)
  let value: unknown
  try {
    if (extname(path) === '.json') value = JSON.parse(readFileSync(path, 'utf8'))
    else value = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default
  } catch (cause) {
    throw new ValidationError(`Schema file ${path} does not load: ${String(cause)}`, { cause })
  }
  try {
    return toJsonSchema(value)
  } catch (error) {
    throw new ValidationError(`Schema file ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/** The stream a proposed schema is for: `--stream`, or the only stream there is. */
async function streamFor(eddy: Eddy, options: SchemaCheckOptions): Promise<string | undefined> {
  if (options.stream || !options.schema) return options.stream
  const streams = (await eddy.store.listStreams()).map((s) => s.name)
  if (streams.length === 1) return streams[0]
  throw new ValidationError(
    `--schema needs --stream when the config has ${streams.length} streams (${streams.join(', ') || 'none'})`,
  )
}

function reportLines(report: SchemaCheckReport): string[] {
  const status = report.registered ? 'already registered' : 'new'
  const latest =
    report.latestVersion === null ? 'none registered yet' : `latest ${report.latestVersion}`
  const lines = [
    `stream ${report.stream}: version ${report.version} (${status}; ${latest}; compatibility ${report.compatibility})`,
  ]

  if (report.violations.length === 0) lines.push(`  compatibility ${report.compatibility}: ok`)
  else lines.push(`  compatibility ${report.compatibility}: REFUSED`)
  for (const { change, againstVersion } of report.violations) {
    lines.push(`    refuses ${change.path}: ${change.detail} (against version ${againstVersion})`)
  }

  for (const impact of report.consumers) {
    lines.push(`  consumer ${impact.consumer}: ${impact.breaks.length > 0 ? 'BREAKS' : 'ok'}`)
    for (const b of impact.breaks)
      lines.push(`    breaks ${b.path}: ${b.kind}; needs ${b.expected}, gets ${b.actual}`)
    for (const c of impact.fine) lines.push(`    fine   ${c.path}: ${c.detail}`)
  }
  if (report.consumers.length === 0) lines.push('  no consumer of this stream declares a contract')
  return lines
}

function verdict(reports: SchemaCheckReport[]): string {
  const broken = [
    ...new Set(
      reports.flatMap((r) => r.consumers.filter((c) => c.breaks.length > 0).map((c) => c.consumer)),
    ),
  ]
  const refused = reports.filter((r) => r.violations.length > 0).map((r) => r.stream)
  if (broken.length === 0 && refused.length === 0) return 'result: compatible; no consumer breaks'
  const parts = []
  if (broken.length > 0)
    parts.push(`breaks consumer${broken.length > 1 ? 's' : ''} ${broken.join(', ')}`)
  if (refused.length > 0) parts.push(`refused by the compatibility mode of ${refused.join(', ')}`)
  return `result: ${parts.join('; ')}`
}

/** `eddy schema check`: exit code 1 when a proposed schema breaks a consumer or its mode. */
export async function schemaCheckCommand(options: SchemaCheckOptions): Promise<void> {
  return withEddy(
    options,
    async (eddy) => {
      const schema = options.schema ? await readSchemaFile(options.schema) : undefined
      const reports = await eddy.checkSchemas({ stream: await streamFor(eddy, options), schema })
      const ok = reports.every((r) => r.ok)
      if (!ok) process.exitCode = 1
      if (options.json) return printJson({ ok, reports })

      if (reports.length === 0) process.stdout.write('no schemas declared: nothing to check\n')
      for (const report of reports) process.stdout.write(`${reportLines(report).join('\n')}\n`)
      process.stdout.write(`${verdict(reports)}\n`)
    },
    'warn',
    { registerSchemas: false, mustExist: false },
  )
}

/** `eddy schema infer STREAM`: the JSON Schema of the items the stream carries. */
export async function schemaInferCommand(
  stream: string,
  options: SchemaInferOptions,
): Promise<void> {
  return withEddy(options, async (eddy) => {
    const inferred = await eddy.inferSchema(stream, { sample: options.sample })
    if (options.json) return printJson(inferred.schema)

    process.stdout.write(`stream ${stream}: ${inferred.items} items read\n`)
    printTable(
      ['field', 'type', 'required', 'seen'],
      inferred.fields.map((f) => [f.path, formatTypes(f.types), f.required ? 'yes' : 'no', f.seen]),
    )
    process.stdout.write('(--json prints the JSON Schema)\n')
  })
}
