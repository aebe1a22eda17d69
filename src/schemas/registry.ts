/**
 * The schema registry: versions of each stream's schema kept in the store, and the check that a
 * new version must pass before it is added. The check is pure (`checkProposal`); `registerSchemas`
 * runs it inside the write that adds the version, so two processes cannot both add version n.
 * Producer writes are not validated against the registered schema: contracts enforce, at the
 * consumers, and a record carries the version that was latest when it was written.
 */
import { SchemaIncompatibleError } from '../errors.ts'
import type { Store, WriteTx } from '../store/index.ts'
import { checkMode, diffSchemas, type ModeViolation } from './compatibility.ts'
import { checkContract } from './contract.ts'
import { fingerprintOf, flattenSchema } from './json-schema.ts'
import type {
  CompatibilityMode,
  ConsumerImpact,
  FieldMap,
  JsonSchema,
  SchemaChange,
  StoredSchema,
} from './types.ts'

/** A stream's schemas as the config declares them, converted to JSON Schema. */
export interface ResolvedStreamSchemas {
  stream: string
  compatibility: CompatibilityMode
  /** Oldest first; each is registered once, identical ones share a version. */
  versions: JsonSchema[]
}

/** A consumer of the stream with a contract. */
export interface ContractReader {
  consumer: string
  fields: FieldMap
}

/** The result of checking a proposed schema for a stream. */
export interface SchemaCheckReport {
  stream: string
  compatibility: CompatibilityMode
  /** The version the proposal has (when already registered) or would get. */
  version: number
  /** True when an identical schema is already registered as `version`. */
  registered: boolean
  /** The latest registered version before the proposal, or null for a stream without schemas. */
  latestVersion: number | null
  /** Differences from the latest registered version. */
  changes: SchemaChange[]
  /** Changes the compatibility mode refuses, with the version each was compared with. */
  violations: ModeViolation[]
  /** Per consumer with a contract: what the proposal breaks and what it does not. */
  consumers: ConsumerImpact[]
  /** True when nothing is refused and no consumer breaks. */
  ok: boolean
}

/** Checks a proposed schema against the stored versions, the mode and the consumers' contracts. */
export function checkProposal(
  stream: string,
  mode: CompatibilityMode,
  stored: StoredSchema[],
  proposed: JsonSchema,
  readers: ContractReader[],
): SchemaCheckReport {
  const fingerprint = fingerprintOf(proposed)
  const same = stored.find((s) => s.fingerprint === fingerprint)
  const latest = stored.at(-1) ?? null

  const changes = latest ? diffSchemas(latest.schema, proposed) : []
  const violations = same ? [] : checkMode(mode, stored, proposed)
  const consumers = readers.map((reader) => impactOn(reader, proposed, latest, changes))
  return {
    stream,
    compatibility: mode,
    version: same?.version ?? (latest?.version ?? 0) + 1,
    registered: same !== undefined,
    latestVersion: latest?.version ?? null,
    changes,
    violations,
    consumers,
    ok: violations.length === 0 && consumers.every((c) => c.breaks.length === 0),
  }
}

function impactOn(
  reader: ContractReader,
  proposed: JsonSchema,
  latest: StoredSchema | null,
  changes: SchemaChange[],
): ConsumerImpact {
  const before = latest ? flattenSchema(latest.schema) : null
  const breaks = checkContract(reader.fields, flattenSchema(proposed), before)
  const broken = new Set(breaks.map((b) => b.path))
  const fine = changes.filter((change) => !broken.has(change.path))
  return { consumer: reader.consumer, breaks, fine }
}

/** One line that says what a refused proposal breaks, for errors and logs. */
export function summarizeReport(report: SchemaCheckReport): string {
  const parts = report.consumers
    .filter((c) => c.breaks.length > 0)
    .map((c) => {
      const fields = c.breaks.map(
        (b) => `${b.path} ${b.kind} (expects ${b.expected}, gets ${b.actual})`,
      )
      return `breaks consumer "${c.consumer}": ${fields.join(', ')}`
    })
  if (report.violations.length > 0) {
    const changes = report.violations.map(
      (v) => `${v.change.path}: ${v.change.detail} (vs version ${v.againstVersion})`,
    )
    parts.push(`compatibility ${report.compatibility} refuses ${changes.join(', ')}`)
  }
  return `Schema version ${report.version} of stream "${report.stream}" ${parts.join('; ') || 'is compatible'}`
}

/**
 * Registers the declared versions of a stream's schema in order, inside `tx`: a version already
 * stored (same fingerprint) is skipped; a new one is added only when `checkProposal` finds it
 * ok, else a `SchemaIncompatibleError` carrying the report is thrown and nothing is added.
 * Returns the report of each declared version.
 */
export async function registerSchemas(
  tx: WriteTx,
  declared: ResolvedStreamSchemas,
  readers: ContractReader[],
): Promise<SchemaCheckReport[]> {
  await tx.setCompatibility(declared.stream, declared.compatibility)
  const stored = await tx.listSchemas(declared.stream)
  const reports: SchemaCheckReport[] = []

  for (const schema of declared.versions) {
    const report = checkProposal(declared.stream, declared.compatibility, stored, schema, readers)
    reports.push(report)
    if (report.registered) continue
    if (!report.ok)
      throw new SchemaIncompatibleError(`${summarizeReport(report)}: not registered`, report)

    const fingerprint = fingerprintOf(schema)
    const version = await tx.addSchema(declared.stream, fingerprint, schema)
    stored.push({ stream: declared.stream, version, fingerprint, schema, createdAtMs: tx.nowMs })
  }
  return reports
}

/**
 * What registering would do, without writing: each declared version not yet stored is checked
 * as `registerSchemas` would, up to and including the first that would be refused. With
 * `proposed`, that schema alone is checked, as the version after the declared ones.
 */
export async function planSchemas(
  store: Store,
  declared: ResolvedStreamSchemas,
  readers: ContractReader[],
  proposed?: JsonSchema,
): Promise<SchemaCheckReport[]> {
  const stored = await store.listSchemas(declared.stream)
  const reports = declared.versions.map((schema) => planOne(declared, stored, schema, readers))
  if (proposed)
    return [checkProposal(declared.stream, declared.compatibility, stored, proposed, readers)]

  // Versions already registered were checked when they were; only the latest one still matters.
  const firstRefused = reports.findIndex((r) => !r.ok && !r.registered)
  const fresh = reports.slice(0, firstRefused === -1 ? undefined : firstRefused + 1)
  const unregistered = fresh.filter((r) => !r.registered)
  return unregistered.length > 0 ? unregistered : reports.slice(-1)
}

/** Checks one declared version and, as registration would, adds it to `stored` if new. */
function planOne(
  declared: ResolvedStreamSchemas,
  stored: StoredSchema[],
  schema: JsonSchema,
  readers: ContractReader[],
): SchemaCheckReport {
  const report = checkProposal(declared.stream, declared.compatibility, stored, schema, readers)
  if (!report.registered) {
    const fingerprint = fingerprintOf(schema)
    stored.push({
      stream: declared.stream,
      version: report.version,
      fingerprint,
      schema,
      createdAtMs: 0,
    })
  }
  return report
}
