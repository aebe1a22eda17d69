/** SQL for the schema registry: versions of each stream's schema and its compatibility mode. */
import type Database from 'better-sqlite3'
import type { CompatibilityMode, JsonSchema, StoredSchema } from '../../schemas/types.ts'

interface SchemaRow {
  stream: string
  version: number
  fingerprint: string
  body: string
  created_at_ms: number
}

function toStoredSchema(row: SchemaRow): StoredSchema {
  return {
    stream: row.stream,
    version: row.version,
    fingerprint: row.fingerprint,
    schema: JSON.parse(row.body) as JsonSchema,
    createdAtMs: row.created_at_ms,
  }
}

/** Statements that read schemas; run on either connection. */
export function prepareSchemaReads(db: Database.Database) {
  const versions = db.prepare<[string], SchemaRow>(
    'SELECT * FROM stream_schemas WHERE stream = ? ORDER BY version',
  )
  const latest = db.prepare<[string], { version: number | null }>(
    'SELECT MAX(version) AS version FROM stream_schemas WHERE stream = ?',
  )
  const mode = db.prepare<[string], { compatibility: CompatibilityMode }>(
    'SELECT compatibility FROM schema_settings WHERE stream = ?',
  )

  return {
    list(stream: string): StoredSchema[] {
      return versions.all(stream).map(toStoredSchema)
    },
    latestVersion(stream: string): number | null {
      return latest.get(stream)?.version ?? null
    },
    compatibility(stream: string): CompatibilityMode | null {
      return mode.get(stream)?.compatibility ?? null
    },
  }
}

/** Statements that change schemas; run on the writer's connection. */
export function prepareSchemaWrites(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO stream_schemas (stream, version, fingerprint, body, created_at_ms)
     SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ? FROM stream_schemas WHERE stream = ?
     RETURNING version`,
  )
  const upsertMode = db.prepare(
    `INSERT INTO schema_settings (stream, compatibility) VALUES (?, ?)
     ON CONFLICT (stream) DO UPDATE SET compatibility = excluded.compatibility`,
  )

  return {
    ...prepareSchemaReads(db),
    /** Appends a version; returns its number, one more than the stream's latest. */
    add(stream: string, fingerprint: string, schema: JsonSchema, nowMs: number): number {
      const row = insert.get(stream, fingerprint, JSON.stringify(schema), nowMs, stream) as {
        version: number
      }
      return row.version
    },
    setCompatibility(stream: string, mode: CompatibilityMode): void {
      upsertMode.run(stream, mode)
    },
  }
}
