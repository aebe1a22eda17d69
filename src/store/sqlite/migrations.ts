/**
 * Schema migrations of the SQLite engine. Each migration has a unique name and runs once, in
 * list order, inside one transaction; applied names are kept in `eddy_migrations`. Append new
 * migrations at the end; never edit one that has shipped.
 */
import type Database from 'better-sqlite3'

interface Migration {
  name: string
  sql: string
}

const migrations: Migration[] = [
  {
    name: '0001-tables-streams-consumers-queues',
    sql: `
      CREATE TABLE items (
        table_name TEXT NOT NULL,
        partition_key TEXT NOT NULL,
        sort_key ANY NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (table_name, partition_key, sort_key)
      ) WITHOUT ROWID, STRICT;

      CREATE TABLE streams (
        name TEXT PRIMARY KEY,
        table_name TEXT,
        view_type TEXT NOT NULL,
        shard_count INTEGER NOT NULL,
        retention_ms INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE records (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        stream TEXT NOT NULL,
        shard INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        event_name TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX records_by_shard ON records (stream, shard, sequence);

      CREATE TABLE consumers (
        name TEXT PRIMARY KEY,
        stream TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE consumer_shards (
        consumer TEXT NOT NULL,
        stream TEXT NOT NULL,
        shard INTEGER NOT NULL,
        checkpoint INTEGER NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        iterator_age_ms INTEGER,
        last_batch_at_ms INTEGER,
        last_error TEXT,
        PRIMARY KEY (consumer, shard)
      ) STRICT;

      CREATE TABLE queues (
        name TEXT PRIMARY KEY,
        visibility_timeout_ms INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE messages (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        queue TEXT NOT NULL,
        message_id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        sent_at_ms INTEGER NOT NULL,
        visible_at_ms INTEGER NOT NULL,
        receive_count INTEGER NOT NULL DEFAULT 0,
        receipt_handle TEXT,
        first_received_at_ms INTEGER
      );
      CREATE INDEX messages_by_visibility ON messages (queue, visible_at_ms, sequence);
      CREATE UNIQUE INDEX messages_by_receipt ON messages (receipt_handle);
    `,
  },
  {
    // The key attributes each table was created with, so that a config that changes them is
    // refused instead of making the stored items unreachable.
    name: '0011-core-table-keys',
    sql: `
      CREATE TABLE tables (
        name TEXT PRIMARY KEY,
        partition_key TEXT NOT NULL,
        partition_key_type TEXT NOT NULL,
        sort_key TEXT,
        sort_key_type TEXT,
        created_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    name: '0101-tables-ttl-stream-labels-trim-log',
    sql: `
      ALTER TABLE items ADD COLUMN expires_at_s INTEGER;
      CREATE INDEX items_by_expiry ON items (table_name, expires_at_s)
        WHERE expires_at_s IS NOT NULL;

      ALTER TABLE streams ADD COLUMN label TEXT NOT NULL DEFAULT '';
      ALTER TABLE streams ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
      UPDATE streams SET label = strftime('%Y-%m-%dT%H:%M:%f', created_at_ms / 1000.0, 'unixepoch');

      CREATE TABLE stream_trims (
        stream TEXT NOT NULL,
        shard INTEGER NOT NULL,
        through_sequence INTEGER NOT NULL,
        removed INTEGER NOT NULL,
        trimmed_at_ms INTEGER NOT NULL,
        PRIMARY KEY (stream, shard, through_sequence)
      ) STRICT;
    `,
  },
  {
    name: '0201-consumers-state-leases-idempotency',
    sql: `
      ALTER TABLE consumers ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;

      ALTER TABLE consumer_shards ADD COLUMN state TEXT NOT NULL DEFAULT 'idle';
      ALTER TABLE consumer_shards ADD COLUMN blocked_since_ms INTEGER;
      ALTER TABLE consumer_shards ADD COLUMN blocking_sequence INTEGER;
      ALTER TABLE consumer_shards ADD COLUMN blocking_created_at_ms INTEGER;
      ALTER TABLE consumer_shards ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE consumer_shards ADD COLUMN filtered_out INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE consumer_shards ADD COLUMN expired INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE consumer_leases (
        consumer TEXT NOT NULL,
        shard INTEGER NOT NULL,
        owner TEXT,
        token INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        PRIMARY KEY (consumer, shard)
      ) STRICT;

      CREATE TABLE consumer_processes (
        owner TEXT PRIMARY KEY,
        seen_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        error TEXT
      ) STRICT;
    `,
  },
  {
    // Records a consumer dropped at its retry or age limit without a dead-letter queue, and when
    // a blocking record is dropped (by the age limit or by retention, whichever comes first).
    name: '0202-consumers-discarded-and-blocking-expiry',
    sql: `
      ALTER TABLE consumer_shards ADD COLUMN discarded INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE consumer_shards ADD COLUMN blocking_expires_at_ms INTEGER;
    `,
  },
  {
    // Queue attributes as SQS has them, message attributes, FIFO groups and deduplication, and
    // the queue a redriven message came from (for `eddy dlq move` back to its source).
    name: '0301-queues-attributes-redrive-fifo',
    sql: `
      ALTER TABLE queues ADD COLUMN fifo INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE queues ADD COLUMN content_based_deduplication INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE queues ADD COLUMN delay_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE queues ADD COLUMN retention_ms INTEGER NOT NULL DEFAULT 345600000;
      ALTER TABLE queues ADD COLUMN max_body_bytes INTEGER NOT NULL DEFAULT 262144;
      ALTER TABLE queues ADD COLUMN dead_letter_queue TEXT;
      ALTER TABLE queues ADD COLUMN max_receive_count INTEGER;

      ALTER TABLE messages ADD COLUMN attributes TEXT;
      ALTER TABLE messages ADD COLUMN md5_of_body TEXT;
      ALTER TABLE messages ADD COLUMN group_id TEXT;
      ALTER TABLE messages ADD COLUMN source_queue TEXT;
      CREATE INDEX messages_by_age ON messages (queue, sent_at_ms);
      CREATE INDEX messages_by_queue ON messages (queue, sequence);
      CREATE INDEX messages_by_group ON messages (queue, group_id, visible_at_ms)
        WHERE group_id IS NOT NULL;

      CREATE TABLE queue_deduplication (
        queue TEXT NOT NULL,
        deduplication_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        PRIMARY KEY (queue, deduplication_id)
      ) WITHOUT ROWID, STRICT;
    `,
  },
  {
    name: '0401-schemas-versions-and-modes',
    sql: `
      CREATE TABLE stream_schemas (
        stream TEXT NOT NULL,
        version INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (stream, version)
      ) STRICT;

      CREATE TABLE schema_settings (
        stream TEXT PRIMARY KEY,
        compatibility TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    name: '0601-ops-alarms',
    sql: `
      CREATE TABLE alarm_states (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        value REAL,
        evaluated_at_ms INTEGER NOT NULL,
        changed_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
]

/** Applies every migration the database has not seen yet. */
export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS eddy_migrations (
    name TEXT PRIMARY KEY, applied_at_ms INTEGER NOT NULL
  ) STRICT`)

  const applied = new Set(
    db
      .prepare<[], { name: string }>('SELECT name FROM eddy_migrations')
      .all()
      .map((r) => r.name),
  )
  const record = db.prepare('INSERT INTO eddy_migrations (name, applied_at_ms) VALUES (?, ?)')

  for (const migration of migrations) {
    if (applied.has(migration.name)) continue
    db.transaction(() => {
      db.exec(migration.sql)
      record.run(migration.name, Date.now())
    }).immediate()
  }
}
