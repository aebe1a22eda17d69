/** SQL for items: one row per item, keyed by table, partition key and sort key. */
import type Database from 'better-sqlite3'
import type { Item } from '../../streams/types.ts'
import type { ItemAddress } from '../index.ts'

export function prepareItems(db: Database.Database) {
  const select = db.prepare<[string, string, string | number], { body: string }>(
    'SELECT body FROM items WHERE table_name = ? AND partition_key = ? AND sort_key = ?',
  )
  const upsert = db.prepare(
    `INSERT INTO items (table_name, partition_key, sort_key, body) VALUES (?, ?, ?, ?)
     ON CONFLICT (table_name, partition_key, sort_key) DO UPDATE SET body = excluded.body`,
  )
  const remove = db.prepare(
    'DELETE FROM items WHERE table_name = ? AND partition_key = ? AND sort_key = ?',
  )

  return {
    get(address: ItemAddress): Item | undefined {
      const row = select.get(address.table, address.partitionKey, address.sortKey)
      return row ? (JSON.parse(row.body) as Item) : undefined
    },
    put(address: ItemAddress, item: Item): void {
      upsert.run(address.table, address.partitionKey, address.sortKey, JSON.stringify(item))
    },
    delete(address: ItemAddress): void {
      remove.run(address.table, address.partitionKey, address.sortKey)
    },
  }
}
