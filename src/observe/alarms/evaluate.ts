/**
 * The state machine of one alarm, evaluated on its latest N datapoints (null = missing):
 *
 *   INSUFFICIENT_DATA ──M of N breach──▶ ALARM ──fewer than M breach──▶ OK
 *         ▲                                 │                            │
 *         └──── every datapoint missing (treatMissingData: missing) ─────┘
 *
 * A missing datapoint counts as breaching or not under `breaching` / `notBreaching`; under
 * `missing` and `ignore` it is left out. When none is left, `missing` gives INSUFFICIENT_DATA and
 * `ignore` keeps the current state.
 */
import type { AlarmState, ComparisonOperator, ResolvedAlarm } from './definition.ts'

/** The state the datapoints call for, and a reason a person can read. */
export interface Evaluation {
  state: AlarmState
  reason: string
}

export function breaches(value: number, comparison: ComparisonOperator, threshold: number) {
  if (comparison === '>=') return value >= threshold
  if (comparison === '>') return value > threshold
  if (comparison === '<=') return value <= threshold
  return value < threshold
}

/** Evaluates the latest `alarm.evaluationPeriods` datapoints, oldest first. */
export function evaluate(
  alarm: ResolvedAlarm,
  datapoints: (number | null)[],
  current: AlarmState,
): Evaluation {
  const window = datapoints.slice(-alarm.evaluationPeriods)
  const missing = alarm.evaluationPeriods - window.filter((value) => value !== null).length
  const present = window.filter((value): value is number => value !== null)
  let breaching = present.filter((v) => breaches(v, alarm.comparison, alarm.threshold)).length
  let counted = present.length
  if (alarm.treatMissingData === 'breaching') breaching += missing
  if (alarm.treatMissingData === 'breaching' || alarm.treatMissingData === 'notBreaching') {
    counted += missing
  }

  const rule = `${alarm.metric} ${alarm.comparison} ${alarm.threshold}`
  const shown = `[${window.map((v) => (v === null ? '-' : String(v))).join(', ')}]`
  if (breaching >= alarm.datapointsToAlarm) {
    return {
      state: 'ALARM',
      reason: `${breaching} of the last ${alarm.evaluationPeriods} datapoints ${shown} breach ${rule}`,
    }
  }
  if (counted === 0) {
    if (alarm.treatMissingData === 'ignore') {
      return {
        state: current,
        reason: 'no datapoints; the state is kept (treatMissingData: ignore)',
      }
    }
    return { state: 'INSUFFICIENT_DATA', reason: `no datapoints of ${alarm.metric} in the window` }
  }
  return {
    state: 'OK',
    reason: `${breaching} of the last ${alarm.evaluationPeriods} datapoints ${shown} breach ${rule} (alarm at ${alarm.datapointsToAlarm})`,
  }
}
