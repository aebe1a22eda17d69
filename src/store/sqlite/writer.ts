/**
 * The single writer with group commit. Every write call queues its work; once per event-loop
 * turn the writer opens one transaction, runs each queued work inside a savepoint of its own (so a
 * failing call rolls back only its part), commits once, then settles every call. One fsync thus
 * pays for every write of the turn, which is how durable writes stay fast.
 *
 * Savepoints cost two statements per write and a copy of every page a write touches, so two
 * kinds of turn go without them. A turn of a single write: when it fails, the whole transaction
 * rolls back instead. A turn made only of rerunnable writes: when one fails, the whole
 * transaction rolls back and the turn runs again with a savepoint per write, which ends as if
 * the savepoints had been there from the start.
 */
import type Database from 'better-sqlite3'
import { StoppedError } from '../../errors.ts'
import type { WriteOptions } from '../index.ts'

interface Job<Tx> {
  work: (tx: Tx) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  rerunnable: boolean
}

/** What running a turn's jobs left: outcomes to commit, or a rolled-back transaction. */
type Ran<Tx> = Outcome<Tx>[] | 'settled' | 'run again'

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

  write<T>(work: (tx: Tx) => Promise<T>, options?: WriteOptions): Promise<T> {
    if (this.#closed) return Promise.reject(new StoppedError('The store is closed: open it again'))

    const rerunnable = options?.rerunnable === true
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject, rerunnable })
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
    const bare = jobs.length > 1 && jobs.every((job) => job.rerunnable)
    if (!(await this.#transact(jobs, bare)) && bare) await this.#transact(jobs, false)
  }

  /** Runs the jobs in one transaction and settles them; false when the turn must run again. */
  async #transact(jobs: Job<Tx>[], bare: boolean): Promise<boolean> {
    const tx = this.openTx(Date.now())
    try {
      this.#begin.run()
    } catch (error) {
      for (const job of jobs) job.reject(error)
      return true
    }

    let outcomes: Ran<Tx>
    try {
      outcomes = await this.#runAll(jobs, tx, bare)
    } catch (error) {
      // SQLite rolled the whole transaction back (disk full, I/O error): every job went with it.
      if (this.db.inTransaction) this.#rollback.run()
      for (const job of jobs) job.reject(error)
      return true
    }
    if (outcomes === 'run again') return false
    if (outcomes === 'settled') return true

    try {
      this.#commit.run()
    } catch (error) {
      if (this.db.inTransaction) this.#rollback.run()
      for (const { job } of outcomes) job.reject(error)
      return true
    }

    this.afterCommit(tx)
    for (const { job, ok, value } of outcomes) (ok ? job.resolve : job.reject)(value)
    return true
  }

  async #runAll(jobs: Job<Tx>[], tx: Tx, bare: boolean): Promise<Ran<Tx>> {
    const [lone] = jobs
    if (jobs.length === 1 && lone) return this.#runAlone(lone, tx)
    if (bare) return this.#runBare(jobs, tx)

    const outcomes: Outcome<Tx>[] = []
    for (const job of jobs) outcomes.push(await this.#runInSavepoint(job, tx))
    return outcomes
  }

  /** A lone job needs no savepoint: when it fails, the transaction rolls back with it. */
  async #runAlone(job: Job<Tx>, tx: Tx): Promise<Ran<Tx>> {
    try {
      return [{ job, ok: true, value: await job.work(tx) }]
    } catch (error) {
      if (this.db.inTransaction) this.#rollback.run()
      job.reject(error)
      return 'settled'
    }
  }

  /** Rerunnable jobs without savepoints; the first failure rolls the whole turn back. */
  async #runBare(jobs: Job<Tx>[], tx: Tx): Promise<Ran<Tx>> {
    const outcomes: Outcome<Tx>[] = []
    for (const job of jobs) {
      try {
        outcomes.push({ job, ok: true, value: await job.work(tx) })
      } catch {
        if (this.db.inTransaction) this.#rollback.run()
        return 'run again'
      }
    }
    return outcomes
  }

  async #runInSavepoint(job: Job<Tx>, tx: Tx): Promise<Outcome<Tx>> {
    this.#savepoint.run()
    try {
      const value = await job.work(tx)
      this.#release.run()
      return { job, ok: true, value }
    } catch (error) {
      // Some errors end the transaction itself; no savepoint is left to roll back to.
      if (!this.db.inTransaction) throw error
      this.#rollbackTo.run()
      this.#release.run()
      this.afterRollback(tx)
      return { job, ok: false, value: error }
    }
  }
}
