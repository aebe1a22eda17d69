/**
 * The runner: takes leases on (consumer, shard) pairs and runs a `ShardWorker` for each lease it
 * holds. Processes that share a database file share the shards: each takes at most its fair
 * share (shards divided by live processes, rounded up), gives back what is above it, and takes
 * over the leases of a process that stopped renewing them once they expire.
 *
 * Every `leaseRenewIntervalMs` one tick: mark this process alive, renew held leases (a lease
 * that cannot be renewed was lost: its worker stops, and its writes are refused anyway), stop
 * workers of consumers disabled in the store, give back leases above the fair share, take free
 * or expired ones up to it.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from '../observe/logger.ts'
import type { ConsumerShardRow, LeaseGrant, Store } from '../store/index.ts'
import type { ResolvedConsumer } from './definition.ts'
import { ConsumerMetrics } from './metrics.ts'
import { ShardWorker } from './shard-worker.ts'

export interface RunnerOptions {
  /** How long a lease lasts without renewal, ms. Default 10,000. A killed process's shards wait this long. */
  leaseExpiryMs?: number
  /** How often leases are renewed and balanced, ms. Default a third of `leaseExpiryMs`. */
  leaseRenewIntervalMs?: number
}

/** A (consumer, shard) this process runs. */
export interface RunningShard {
  consumer: string
  shard: number
  state: ShardWorker['state']
  leaseToken: number
}

interface Held {
  consumer: ResolvedConsumer
  lease: LeaseGrant
  worker: ShardWorker
  done: Promise<void>
  releasing: boolean
}

/** Runs consumers until stopped. */
export class ConsumerRunner {
  /** This process's id in leases. */
  readonly owner = randomUUID()
  readonly metrics = new ConsumerMetrics()
  readonly #held = new Map<string, Held>()
  readonly #leaseExpiryMs: number
  readonly #renewIntervalMs: number
  #consumers = new Map<string, ResolvedConsumer>()
  #timer: NodeJS.Timeout | null = null
  #ticking: Promise<void> | null = null
  #stopped = false
  #unsubscribe: (() => void) | null = null

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    options: RunnerOptions = {},
  ) {
    this.#leaseExpiryMs = options.leaseExpiryMs ?? 10_000
    this.#renewIntervalMs = options.leaseRenewIntervalMs ?? Math.round(this.#leaseExpiryMs / 3)
  }

  /** Takes the leases it can and starts their workers; keeps balancing until `stop`. */
  async start(consumers: ResolvedConsumer[]): Promise<void> {
    this.#consumers = new Map(consumers.filter((c) => c.enabled).map((c) => [c.name, c]))
    this.#unsubscribe = this.store.onAppend((stream) => this.#wake(stream))
    await this.tick()
    // Not unref'd: a started runner keeps the process alive, as a server would, until `stop`.
    this.#timer = setInterval(() => void this.tick(), this.#renewIntervalMs)
  }

  /** Stops every worker after the calls in its handler, waits for its checkpoint, gives back the leases. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearInterval(this.#timer)
    this.#unsubscribe?.()
    await this.#ticking
    const held = [...this.#held.values()]
    for (const { worker } of held) worker.stop()
    await Promise.all(held.map(({ done }) => done))
    await this.store.write(async (tx) => {
      for (const { lease } of held) await tx.releaseLease(lease)
      await tx.forgetProcess(this.owner)
    })
    this.#held.clear()
  }

  /** The (consumer, shard) pairs this process runs now. */
  states(): RunningShard[] {
    return [...this.#held.values()].map(({ consumer, lease, worker }) => ({
      consumer: consumer.name,
      shard: lease.shard,
      state: worker.state,
      leaseToken: lease.token,
    }))
  }

  /** One round of renewing and balancing; runs on a timer, callable by tests. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick()
      .catch((error: unknown) =>
        this.log.warn({ err: error }, 'lease round failed; retried next round'),
      )
      .finally(() => (this.#ticking = null))
    return this.#ticking
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return
    const live = await this.#renew()
    const rows = (await this.store.listConsumerShards()).filter((row) =>
      this.#consumers.has(row.consumer),
    )
    const wanted = rows.filter((row) => row.enabled)
    const fairShare = Math.ceil(wanted.length / Math.max(1, live))

    this.#dropDisabled(rows)
    this.#giveBack(fairShare)
    await this.#take(wanted, fairShare)
  }

  /** Heartbeat and renewals in one write; returns the number of live processes. */
  async #renew(): Promise<number> {
    const held = [...this.#held.values()]
    const { live, renewed } = await this.store.write(async (tx) => {
      const live = await tx.heartbeatProcess(this.owner, this.#leaseExpiryMs)
      const renewed: boolean[] = []
      for (const { lease } of held) renewed.push(await tx.renewLease(lease, this.#leaseExpiryMs))
      return { live, renewed }
    })
    held.forEach((entry, index) => {
      if (renewed[index] || entry.releasing) return
      this.log.warn(
        { consumer: entry.consumer.name, shard: entry.lease.shard },
        'lease lost; stopping the shard worker',
      )
      entry.worker.stop()
    })
    return live
  }

  #dropDisabled(rows: ConsumerShardRow[]): void {
    for (const row of rows) {
      if (!row.enabled) this.#release(keyOf(row.consumer, row.shard))
    }
  }

  #giveBack(fairShare: number): void {
    const active = [...this.#held.entries()].filter(([, held]) => !held.releasing)
    for (const [key] of active.slice(fairShare)) this.#release(key)
  }

  /** Stops a worker; once its last write is done, gives its lease back. */
  #release(key: string): void {
    const held = this.#held.get(key)
    if (!held || held.releasing) return
    held.releasing = true
    held.worker.stop()
    void held.done.then(() => this.store.write((tx) => tx.releaseLease(held.lease))).catch(() => {})
  }

  async #take(rows: ConsumerShardRow[], fairShare: number): Promise<void> {
    const nowMs = Date.now()
    const free = rows.filter(
      (row) =>
        !this.#held.has(keyOf(row.consumer, row.shard)) && (row.leaseExpiresAtMs ?? 0) <= nowMs,
    )
    for (const row of free) {
      if (this.#held.size >= fairShare || this.#stopped) return
      await this.#takeOne(row)
    }
  }

  async #takeOne(row: ConsumerShardRow): Promise<void> {
    const consumer = this.#consumers.get(row.consumer) as ResolvedConsumer
    const request = { consumer: row.consumer, shard: row.shard, owner: this.owner }
    const lease = await this.store.write((tx) => tx.acquireLease(request, this.#leaseExpiryMs))
    if (!lease) return

    // The checkpoint is read after the lease is ours: the previous holder can no longer move it.
    const current = await this.store.getConsumerShard(row.consumer, row.shard)
    const metrics = this.metrics.shard(row.consumer, row.shard)
    const worker = new ShardWorker(
      this.store,
      consumer,
      row.shard,
      current?.checkpoint ?? row.checkpoint,
      lease,
      metrics,
      this.log,
    )
    const key = keyOf(row.consumer, row.shard)
    const done = worker
      .run()
      .catch((error: unknown) =>
        this.log.error(
          { err: error, consumer: row.consumer, shard: row.shard },
          'shard worker crashed',
        ),
      )
      .finally(() => this.#forget(key, worker))
    this.#held.set(key, { consumer, lease, worker, done, releasing: false })
  }

  /** A worker that ended by itself (lease lost, crash) is forgotten; a later tick may retake it. */
  #forget(key: string, worker: ShardWorker): void {
    const held = this.#held.get(key)
    if (held?.worker !== worker || this.#stopped) return
    this.#held.delete(key)
    if (!held.releasing) void this.store.write((tx) => tx.releaseLease(held.lease)).catch(() => {})
  }

  #wake(stream: string | null): void {
    for (const { consumer, worker } of this.#held.values()) {
      if (stream === null || consumer.stream === stream) worker.wake()
    }
  }
}

function keyOf(consumer: string, shard: number): string {
  return `${consumer}\u0000${shard}`
}
