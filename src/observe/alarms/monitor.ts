/**
 * The alarm monitor: every period it reads each alarm's metric from the store, evaluates the
 * latest datapoints, saves the state in the store (so that `eddy status` in another process
 * shows it), and logs each transition and posts it to the alarm's webhook. The clock is
 * injectable, so that a test can drive an alarm through its states without waiting.
 *
 * Known shortcomings: every process that runs a monitor evaluates every alarm, so two processes
 * on one store both post a transition; counters start from the totals at `prime`, so a restart
 * forgets the datapoints of the window; a failed webhook post is logged and not retried.
 */
import type { AlarmStateRow } from '../../store/index.ts'
import type { Logger } from '../logger.ts'
import type { StatusReport } from '../status.ts'
import type { AlarmState, ResolvedAlarm } from './definition.ts'
import { evaluate } from './evaluate.ts'
import { isCounter, sampleMetric } from './sample.ts'
import { postWebhook } from './webhook.ts'

/** One change of state, as logged and posted. */
export interface AlarmTransition {
  alarm: string
  from: AlarmState
  to: AlarmState
  reason: string
  /** The latest datapoint, or null when it was missing. */
  value: number | null
  atMs: number
}

/** Where the monitor keeps states; the store in production. */
export interface AlarmStateStore {
  list(): Promise<AlarmStateRow[]>
  save(row: AlarmStateRow): Promise<void>
}

export interface AlarmMonitorOptions {
  alarms: ResolvedAlarm[]
  /** Reads the metrics: the store's status snapshot. */
  readStatus: () => Promise<StatusReport>
  states: AlarmStateStore
  log: Logger
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: () => number
  /** Posts a transition to a webhook; default `fetch` with a Slack-compatible body. */
  post?: (url: string, transition: AlarmTransition) => Promise<void>
  /** How often `start` looks for due alarms, in ms. Default 1,000. */
  tickMs?: number
}

interface Track {
  alarm: ResolvedAlarm
  state: AlarmState
  datapoints: (number | null)[]
  /** The counter's total at the last datapoint; the next datapoint is the increase. */
  lastTotal: number | null
  dueAtMs: number
}

export class AlarmMonitor {
  readonly #tracks: Track[]
  readonly #clock: () => number
  readonly #post: (url: string, transition: AlarmTransition) => Promise<void>
  #timer: NodeJS.Timeout | null = null
  #ticking: Promise<void> | null = null

  constructor(private readonly options: AlarmMonitorOptions) {
    this.#clock = options.clock ?? Date.now
    this.#post = options.post ?? postWebhook
    this.#tracks = options.alarms.map((alarm) => ({
      alarm,
      state: 'INSUFFICIENT_DATA',
      datapoints: [],
      lastTotal: null,
      dueAtMs: 0,
    }))
  }

  /** Loads the stored states and the counters' starting totals; the first datapoint is one period away. */
  async prime(): Promise<void> {
    const stored = new Map((await this.options.states.list()).map((row) => [row.name, row]))
    const status = await this.options.readStatus()
    const nowMs = this.#clock()
    for (const track of this.#tracks) {
      track.state = stored.get(track.alarm.name)?.state ?? 'INSUFFICIENT_DATA'
      track.lastTotal = isCounter(track.alarm) ? sampleMetric(track.alarm, status) : null
      track.dueAtMs = nowMs + track.alarm.periodSeconds * 1000
    }
  }

  /** Primes, then ticks every `tickMs` until `stop`. */
  async start(): Promise<void> {
    await this.prime()
    this.#timer = setInterval(() => {
      this.#ticking ??= this.tick()
        .then(() => undefined)
        .catch((error) =>
          this.options.log.warn({ err: error }, 'evaluating alarms failed; tried again next tick'),
        )
        .finally(() => (this.#ticking = null))
    }, this.options.tickMs ?? 1000)
    this.#timer.unref()
  }

  /** Waits for a tick in progress and stops. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.#ticking
  }

  /** Evaluates every alarm whose period has ended; returns the transitions. */
  async tick(): Promise<AlarmTransition[]> {
    const nowMs = this.#clock()
    const due = this.#tracks.filter((track) => track.dueAtMs <= nowMs)
    if (due.length === 0) return []
    const status = await this.options.readStatus()
    const transitions: AlarmTransition[] = []
    for (const track of due) {
      const transition = await this.#evaluate(track, status, nowMs)
      if (transition) transitions.push(transition)
    }
    return transitions
  }

  async #evaluate(track: Track, status: StatusReport, nowMs: number) {
    const { alarm } = track
    const value = this.#datapoint(track, status)
    track.datapoints = [...track.datapoints, value].slice(-alarm.evaluationPeriods)
    track.dueAtMs = nowMs + alarm.periodSeconds * 1000

    const { state, reason } = evaluate(alarm, track.datapoints, track.state)
    const from = track.state
    track.state = state
    await this.options.states.save({ name: alarm.name, state, reason, value, evaluatedAtMs: nowMs })
    if (state === from) return null

    const transition: AlarmTransition = {
      alarm: alarm.name,
      from,
      to: state,
      reason,
      value,
      atMs: nowMs,
    }
    await this.#announce(alarm, transition)
    return transition
  }

  #datapoint(track: Track, status: StatusReport): number | null {
    const value = sampleMetric(track.alarm, status)
    if (!isCounter(track.alarm)) return value
    const previous = track.lastTotal
    track.lastTotal = value
    if (value === null || previous === null) return null
    // A replay or a new store can lower a stored total; the period then counts from zero.
    return Math.max(0, value - previous)
  }

  async #announce(alarm: ResolvedAlarm, transition: AlarmTransition): Promise<void> {
    const fields = {
      alarm: alarm.name,
      from: transition.from,
      to: transition.to,
      value: transition.value,
    }
    if (transition.to === 'ALARM')
      this.options.log.warn(fields, `alarm ${alarm.name}: ${transition.reason}`)
    else this.options.log.info(fields, `alarm ${alarm.name}: ${transition.reason}`)
    if (!alarm.webhookUrl) return
    try {
      await this.#post(alarm.webhookUrl, transition)
    } catch (error) {
      this.options.log.warn(
        { alarm: alarm.name, err: error },
        'posting the alarm to its webhook failed: check webhookUrl; the next transition is posted again',
      )
    }
  }
}
