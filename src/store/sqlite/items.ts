/**
 * SQL for items: one row per item, keyed by table, partition key and sort key, with the item's
 * time-to-live (seconds since the epoch) in a column of its own so that expiry finds it by index.
 * Sort keys keep their type: numbers order numerically, text and bytes in byte order.
 */
import type Database from 'better-sqlite3'
import type { Item } from '../../streams/types.ts'
import type { ItemAddress, ItemQuery, ItemScan, SortKeyBound, StoredItem } from '../index.ts'

/** JSON text of objects already serialized, so that the same object is not serialized twice. */
export type JsonTexts = WeakMap<object, string>

interface ItemRow {
  partition_key: string
  sort_key: string | number | Buffer
  body: string
}

function toStoredItem(table: string, row: ItemRow): StoredItem {
  return {
    address: { table, partitionKey: row.partition_key, sortKey: row.sort_key },
    item: JSON.parse(row.body) as Item,
  }
}

/** Statements for single items; run on either connection. */
export function prepareItems(db: Database.Database) {
  const select = db.prepare<[string, string, string | number | Buffer], { body: string }>(
    'SELECT body FROM items WHERE table_name = ? AND partition_key = ? AND sort_key = ?',
  )
  const upsert = db.prepare(
    `INSERT INTO items (table_name, partition_key, sort_key, body, expires_at_s) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (table_name, partition_key, sort_key)
     DO UPDATE SET body = excluded.body, expires_at_s = excluded.expires_at_s`,
  )
  const remove = db.prepare(
    'DELETE FROM items WHERE table_name = ? AND partition_key = ? AND sort_key = ?',
  )
  const expired = db.prepare<[string, number, number], ItemRow>(
    `SELECT partition_key, sort_key, body FROM items
     WHERE table_name = ? AND expires_at_s IS NOT NULL AND expires_at_s <= ?
     ORDER BY expires_at_s LIMIT ?`,
  )

  return {
    /** The item at `address`; `texts`, when given, learns the item's stored JSON text. */
    get(address: ItemAddress, texts?: JsonTexts): Item | undefined {
      const row = select.get(address.table, address.partitionKey, address.sortKey)
      if (!row) return undefined
      const item = JSON.parse(row.body) as Item
      texts?.set(item, row.body)
      return item
    },
    /** Stores `item`; `texts`, when given, learns the JSON text it was stored as. */
    put(
      address: ItemAddress,
      item: Item,
      expiresAtSeconds: number | null,
      texts?: JsonTexts,
    ): void {
      const body = JSON.stringify(item)
      texts?.set(item, body)
      upsert.run(address.table, address.partitionKey, address.sortKey, body, expiresAtSeconds)
    },
    delete(address: ItemAddress): void {
      remove.run(address.table, address.partitionKey, address.sortKey)
    },
    /** Items whose time to live is at or before `nowSeconds`, soonest first. */
    expired(table: string, nowSeconds: number, limit: number): StoredItem[] {
      return expired.all(table, nowSeconds, limit).map((row) => toStoredItem(table, row))
    },
  }
}

/** Statements for queries and scans; run on the reader's connection. */
export function prepareItemQueries(db: Database.Database) {
  const cache = new Map<string, Database.Statement<unknown[], ItemRow>>()
  const statement = (sql: string) => {
    let prepared = cache.get(sql)
    if (!prepared) cache.set(sql, (prepared = db.prepare<unknown[], ItemRow>(sql)))
    return prepared
  }

  return {
    query(query: ItemQuery): StoredItem[] {
      const { sql, params } = querySql(query)
      return statement(sql)
        .all(...params)
        .map((row) => toStoredItem(query.table, row))
    },
    scan(scan: ItemScan): StoredItem[] {
      const after = scan.after ? 'AND (partition_key, sort_key) > (?, ?)' : ''
      const sql = `SELECT partition_key, sort_key, body FROM items WHERE table_name = ? ${after}
        ORDER BY partition_key, sort_key LIMIT ?`
      const params = scan.after
        ? [scan.table, scan.after.partitionKey, scan.after.sortKey, scan.limit]
        : [scan.table, scan.limit]
      return statement(sql)
        .all(...params)
        .map((row) => toStoredItem(scan.table, row))
    },
  }
}

/** Builds the SQL of a query; only a handful of shapes exist, so their statements are cached. */
function querySql(query: ItemQuery): { sql: string; params: unknown[] } {
  const where = ['table_name = ?', 'partition_key = ?']
  const params: unknown[] = [query.table, query.partitionKey]
  const bound = (column: string, op: string, value: SortKeyBound['value']) => {
    where.push(`${column} ${op} ?`)
    params.push(value)
  }

  if (query.lower) bound('sort_key', query.lower.inclusive ? '>=' : '>', query.lower.value)
  if (query.upper) bound('sort_key', query.upper.inclusive ? '<=' : '<', query.upper.value)
  if (query.after !== undefined) bound('sort_key', query.forward ? '>' : '<', query.after)

  const direction = query.forward ? 'ASC' : 'DESC'
  params.push(query.limit)
  const sql = `SELECT partition_key, sort_key, body FROM items WHERE ${where.join(' AND ')}
    ORDER BY sort_key ${direction} LIMIT ?`
  return { sql, params }
}
