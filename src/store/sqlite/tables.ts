/** SQL for the table registry: the key attributes each table was created with. */
import type Database from 'better-sqlite3'
import { ConflictError } from '../../errors.ts'
import type { TableKeys } from '../index.ts'

interface TableRow {
  partition_key: string
  partition_key_type: string
  sort_key: string | null
  sort_key_type: string | null
}

function describeKeys(keys: TableKeys): string {
  const partition = `partition key ${keys.partitionKey.name} (${keys.partitionKey.type})`
  if (!keys.sortKey) return `${partition} and no sort key`
  return `${partition} and sort key ${keys.sortKey.name} (${keys.sortKey.type})`
}

function fromRow(row: TableRow): TableKeys {
  return {
    partitionKey: { name: row.partition_key, type: row.partition_key_type },
    sortKey: row.sort_key ? { name: row.sort_key, type: row.sort_key_type ?? '' } : null,
  }
}

/** Statements that register tables; run on the writer's connection. */
export function prepareTableWrites(db: Database.Database) {
  const select = db.prepare<[string], TableRow>('SELECT * FROM tables WHERE name = ?')
  const insert = db.prepare(
    `INSERT INTO tables (name, partition_key, partition_key_type, sort_key, sort_key_type,
       created_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
  )

  return {
    /** Records a new table's keys, or refuses keys that differ from the stored ones. */
    ensure(name: string, keys: TableKeys, nowMs: number): void {
      const row = select.get(name)
      if (!row) {
        const { partitionKey, sortKey } = keys
        insert.run(
          name,
          partitionKey.name,
          partitionKey.type,
          sortKey?.name ?? null,
          sortKey?.type ?? null,
          nowMs,
        )
        return
      }
      const stored = fromRow(row)
      if (describeKeys(stored) === describeKeys(keys)) return
      throw new ConflictError(
        `Table "${name}" has ${describeKeys(stored)} in the store but ${describeKeys(keys)} in ` +
          'the config: keys cannot change once items are stored; declare a new table instead',
      )
    },
  }
}
