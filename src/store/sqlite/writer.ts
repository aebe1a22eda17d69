/**
 * The single writer with group commit. Every write call queues its work; once per event-loop
 * turn the writer opens one transaction, runs each queued work inside a savepoint of its own (so a
 * failing call rolls back only its part), commits once, then settles every call. One fsync thus
 * pays for every write of the turn, which is how durable writes stay fast. A turn with a single
 * write needs no savepoint: when that write fails, the whole transaction rolls back instead.
 */
import type Database from 'better-sqlite3'
import { StoppedError } from '../../errors.ts'

interface Job<Tx> {
  work: (tx: Tx) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

interface Outcome<Tx> {
  job: Job<Tx>
  ok: boolean
  value: unknown
}

export class GroupCommitWriter<Tx> {
  // Prepared once: parsing these on every write costs more than running them.
  readonly #savepoint: Database.Statement
  readonly #release: Database.Statement
  readonly #rollbackTo: Database.Statement
  readonly #begin: Database.Statement
  readonly #commit: Database.Statement
  readonly #rollback: Database.Statement
  #pending: Job<Tx>[] = []
  #scheduled = false
  #running: Promise<void> | null = null
  #closed = false

  constructor(
    private readonly db: Database.Database,
    /** Makes the transaction object for one commit, given its clock. */
    private readonly openTx: (nowMs: number) => Tx,
    /** Called after a commit with the transaction object, to announce what it wrote. */
    private readonly afterCommit: (tx: Tx) => void,
    /** Called when a savepoint rolls back, so the transaction object drops what it cached. */
    private readonly afterRollback: (tx: Tx) => void = () => {},
  ) {
    this.#savepoint = db.prepare('SAVEPOINT eddy_write')
    this.#release = db.prepare('RELEASE eddy_write')
    this.#rollbackTo = db.prepare('ROLLBACK TO eddy_write')
    this.#begin = db.prepare('BEGIN IMMEDIATE')
    this.#commit = db.prepare('COMMIT')
    this.#rollback = db.prepare('ROLLBACK')
  }

  write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StoppedError('The store is closed: open it again'))

    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject })
      this.#schedule()
    })
  }

  /** Waits for queued writes to commit, then refuses new ones. */
  async close(): Promise<void> {
    while (this.#running || this.#pending.length > 0) {
      await (this.#running ?? new Promise((resolve) => setImmediate(resolve)))
    }
    this.#closed = true
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#running = this.#flush().finally(() => {
        this.#running = null
        if (this.#pending.length > 0) this.#schedule()
      })
    })
  }

  async #flush(): Promise<void> {
    const jobs = this.#pending.splice(0)
    const tx = this.openTx(Date.now())

    try {
      this.#begin.run()
    } catch (error) {
      for (const job of jobs) job.reject(error)
      return
    }

    const outcomes = await this.#runAll(jobs, tx)
    if (outcomes === null) return

    try {
      this.#commit.run()
    } catch (error) {
      if (this.db.inTransaction) this.#rollback.run()
      for (const { job } of outcomes) job.reject(error)
      return
    }

    this.afterCommit(tx)
    for (const { job, ok, value } of outcomes) (ok ? job.resolve : job.reject)(value)
  }

  /**
   * Runs every job of the turn. A lone job runs without a savepoint (two statements and a
   * sub-journal copy of each page it touches saved per write): if it fails, the transaction is
   * rolled back and null returned, which leaves the store as a savepoint rollback would.
   */
  async #runAll(jobs: Job<Tx>[], tx: Tx): Promise<Outcome<Tx>[] | null> {
    const [lone] = jobs
    if (jobs.length === 1 && lone) {
      try {
        return [{ job: lone, ok: true, value: await lone.work(tx) }]
      } catch (error) {
        if (this.db.inTransaction) this.#rollback.run()
        lone.reject(error)
        return null
      }
    }

    const outcomes: Outcome<Tx>[] = []
    for (const job of jobs) outcomes.push(await this.#runInSavepoint(job, tx))
    return outcomes
  }

  async #runInSavepoint(job: Job<Tx>, tx: Tx): Promise<Outcome<Tx>> {
    this.#savepoint.run()
    try {
      const value = await job.work(tx)
      this.#release.run()
      return { job, ok: true, value }
    } catch (error) {
      this.#rollbackTo.run()
      this.#release.run()
      this.afterRollback(tx)
      return { job, ok: false, value: error }
    }
  }
}
