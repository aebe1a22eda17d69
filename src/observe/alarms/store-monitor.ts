/** The alarm monitor of an open store: metrics from its status, states kept in it. */
import type { Store } from '../../store/index.ts'
import type { Logger } from '../logger.ts'
import { readStatus } from '../status.ts'
import type { ResolvedAlarm } from './definition.ts'
import { AlarmMonitor } from './monitor.ts'

/** Options a caller may set; the rest comes from the store. */
export interface StoreMonitorOptions {
  /** Milliseconds since the epoch; default `Date.now`. Tests drive alarms with it. */
  clock?: () => number
  /** How often to look for due alarms, in ms. Default 1,000. */
  tickMs?: number
}

/** A monitor of `alarms` that reads metrics from `store` and keeps their states in it. */
export function storeAlarmMonitor(
  store: Store,
  alarms: ResolvedAlarm[],
  log: Logger,
  options: StoreMonitorOptions = {},
): AlarmMonitor {
  return new AlarmMonitor({
    alarms,
    readStatus: () => readStatus(store, []),
    states: {
      list: () => store.listAlarmStates(),
      save: (row) => store.write((tx) => tx.saveAlarmState(row)),
    },
    log,
    ...options,
  })
}
