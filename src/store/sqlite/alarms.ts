/** SQL for alarm states: each alarm's last evaluation and when its state last changed. */
import type Database from 'better-sqlite3'
import type { AlarmStateRow } from '../index.ts'

interface Row {
  name: string
  state: AlarmStateRow['state']
  reason: string
  value: number | null
  evaluated_at_ms: number
  changed_at_ms: number
}

/** Statements that read alarm states; run on either connection. */
export function prepareAlarmReads(db: Database.Database) {
  const all = db.prepare<[], Row>('SELECT * FROM alarm_states ORDER BY name')
  return {
    list(): AlarmStateRow[] {
      return all.all().map((row) => ({
        name: row.name,
        state: row.state,
        reason: row.reason,
        value: row.value,
        evaluatedAtMs: row.evaluated_at_ms,
        changedAtMs: row.changed_at_ms,
      }))
    },
  }
}

/** Statements that save alarm states; run on the writer's connection. */
export function prepareAlarmWrites(db: Database.Database) {
  const upsert = db.prepare(
    `INSERT INTO alarm_states (name, state, reason, value, evaluated_at_ms, changed_at_ms)
     VALUES (@name, @state, @reason, @value, @evaluatedAtMs, @evaluatedAtMs)
     ON CONFLICT (name) DO UPDATE SET
       changed_at_ms = CASE WHEN state = excluded.state THEN changed_at_ms
                            ELSE excluded.changed_at_ms END,
       state = excluded.state, reason = excluded.reason, value = excluded.value,
       evaluated_at_ms = excluded.evaluated_at_ms`,
  )
  return {
    save(row: AlarmStateRow): void {
      const { name, state, reason, value, evaluatedAtMs } = row
      upsert.run({ name, state, reason, value, evaluatedAtMs })
    },
  }
}
