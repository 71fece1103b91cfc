import type SqliteDatabase from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { checkParameters } from './parameter-guard.js';
import type { BoundQuery } from './prepared.js';

// SQLite with group commit. Every commit appends each page it changed to the WAL file, one write per
// page: a coupon send changes about ten (the stock row, the coupon, the user, their index entries),
// and on a virtual machine those writes cost more main-thread time than the send's SQL itself. Here
// requests share one transaction (a batch): Kysely transactions become savepoints inside it (each
// still commits or rolls back on its own), and single statements join it. Pages that several sends
// touch are written once.
//
// A batch is durable only once it commits, so nothing may be answered before then. A request takes a
// mark (`mark()`) before its first statement and, once its own statements are done, `reach()`; before
// answering it awaits `durable(mark, reach)`: that resolves once every batch from the one to the other
// is committed, and rejects if any of them failed. A failed commit undoes every statement of its batch,
// so those requests get an error rather than a lost success.
//
// A batch commits when an answer needs it (a `durable` call that covers it, at the end of that turn of
// the event loop) or MAX_BATCH_MS after it opened, whichever comes first. A send's answer waits for its
// RSA signature anyway, so the sends that arrive meanwhile join the batch at no cost in latency.

/** How long a batch may stay open (holding the write lock) when no answer is waiting for it. */
const MAX_BATCH_MS = 10;

/** Open batches of every group-committing driver in this process, by database file. */
const openBatches = new Map<string, Set<GroupCommitDriver>>();

interface Batch {
  /** Batches are numbered in the order they open, from 1. */
  seq: number;
  committed: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitSqliteDialect implements Dialect {
  readonly driver: GroupCommitDriver;

  constructor(db: SqliteDatabase.Database, file: string) {
    this.driver = new GroupCommitDriver(db, file);
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return this.driver;
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
}

export class GroupCommitDriver implements Driver {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();
  private holder: Lease | undefined;
  private readonly waiting: Array<(lease: Lease) => void> = [];
  private batch: Batch | undefined;
  private batches = 0;
  /** The batches that failed, and why (the most recent few). */
  private readonly failures: Array<{ seq: number; error: unknown }> = [];
  private commitDue = false;
  /** The last batch whose commit was scheduled for the end of a turn (batches only count up). */
  private commitScheduledFor = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The connection's busy_timeout (ms), read once: how long a BEGIN may wait for another process. */
  private busyTimeout: number | undefined;

  constructor(
    private readonly db: SqliteDatabase.Database,
    /** The database file; `:memory:` databases are private to their connection. */
    private readonly file: string,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.holder && this.waiting.length === 0) {
      this.holder = new Lease(this);
      return this.holder;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection !== this.holder) return;
    this.holder = undefined;
    if (this.commitDue) this.commit();
    const next = this.waiting.shift();
    if (next) {
      this.holder = new Lease(this);
      next(this.holder);
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.ensureBatch();
    const lease = connection as Lease;
    lease.inTransaction = true;
    lease.batchSeq = this.batch?.seq ?? 0;
    this.run('SAVEPOINT wxcoupon_tx', []);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    lease.inTransaction = false;
    // The batch this transaction wrote into was lost (a failed statement ended it): so is the transaction.
    if (this.batch?.seq !== lease.batchSeq) {
      throw this.failures.at(-1)?.error ?? new Error('the transaction was lost with its group commit');
    }
    this.run('RELEASE wxcoupon_tx', []);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as Lease).inTransaction = false;
    this.undoSavepoint();
  }

  /**
   * Runs `work` as one transaction (a savepoint in the open batch, as a Kysely transaction here is) with no
   * await between its statements: the connection is taken once, in turn with every other use of it, and the
   * statements run straight on SQLite, without building or compiling queries. An exception from `work` undoes
   * what it wrote and is thrown again. For hot paths; the answer must still wait for the batch's commit.
   */
  async atomically<T>(work: (q: SyncStatements) => T): Promise<T> {
    const lease = (await this.acquireConnection()) as Lease;
    try {
      await this.ensureBatch();
      this.run('SAVEPOINT wxcoupon_tx', []);
      let out: T;
      try {
        out = work(this.sync);
      } catch (err) {
        this.undoSavepoint();
        throw err;
      }
      this.run('RELEASE wxcoupon_tx', []);
      return out;
    } finally {
      await this.releaseConnection(lease);
    }
  }

  private readonly sync: SyncStatements = (query) => {
    checkParameters(query.parameters);
    return this.run(query.sql, query.parameters) as QueryResult<never>;
  };

  /** Undoes the open savepoint, unless a failed statement already ended the whole batch (then failed too). */
  private undoSavepoint(): void {
    if (this.batch && this.db.inTransaction) {
      this.run('ROLLBACK TO wxcoupon_tx', []);
      this.run('RELEASE wxcoupon_tx', []);
    }
  }

  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A transaction still open now belongs to a request cut off at shutdown: its half is undone, and
    // everything else in the batch (answered or not) is committed.
    if (this.holder?.inTransaction) this.undoSavepoint();
    if (this.batch) this.commit();
    this.db.close();
  }

  /** The number of the batch that the next statement joins or opens. */
  mark(): number {
    return this.batch ? this.batch.seq : this.batches + 1;
  }

  /** The number of the last batch a statement run so far can be in: the open one, else the last. */
  reach(): number {
    return this.batch ? this.batch.seq : this.batches;
  }

  /**
   * Resolves once every batch from `since` (a {@link mark}) to `upTo` (a {@link reach}) is committed,
   * and asks the open one to commit if it is among them; rejects if one of them failed. `durable()`
   * covers everything since the database was opened.
   */
  durable(since = 1, upTo = Number.POSITIVE_INFINITY): Promise<void> {
    const failed = this.failures.find((f) => f.seq >= since && f.seq <= upTo);
    if (failed) return Promise.reject(failed.error);
    if (!this.batch || this.batch.seq < since || this.batch.seq > upTo) return Promise.resolve();
    this.commitSoon();
    return this.batch.committed;
  }

  async execute(sql: string, parameters: readonly unknown[], inTransaction: boolean): Promise<QueryResult<unknown>> {
    if (!inTransaction) await this.ensureBatch();
    return this.run(sql, parameters);
  }

  /** Statements are prepared once per SQL text (bounded): preparing costs more than running most of ours. */
  private statement(sql: string): SqliteDatabase.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= 1000) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private run(sql: string, parameters: readonly unknown[]): QueryResult<unknown> {
    const stmt = this.statement(sql);
    try {
      if (stmt.reader) return { rows: stmt.all(parameters) as unknown[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (err) {
      // Some errors (disk full, I/O) make SQLite roll the whole transaction back: the batch is lost.
      if (this.batch && !this.db.inTransaction) this.failBatch(err);
      throw err;
    }
  }

  private async ensureBatch(): Promise<void> {
    if (this.batch) return;
    // Another connection of this process on the same file holding its batch open would hold the
    // write lock while this thread blocked on it: wait for that batch to commit first.
    for (;;) {
      const others = openBatches.get(this.file);
      const other = others && [...others].find((d) => d !== this);
      if (!other?.batch) break;
      other.commitSoon();
      await other.batch.committed.catch(() => {});
      if (this.batch) return;
    }
    await this.beginImmediate();
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    committed.catch(() => {});
    this.batch = { seq: ++this.batches, committed, resolve, reject };
    if (this.file !== ':memory:') {
      const set = openBatches.get(this.file) ?? new Set<GroupCommitDriver>();
      openBatches.set(this.file, set);
      set.add(this);
    }
    this.commitTimer = setTimeout(() => this.commitNow(), MAX_BATCH_MS);
  }

  /**
   * IMMEDIATE takes the write lock at once, so a batch never fails later by trying to upgrade a read snapshot
   * another writer moved. Another process on the same file (`serve --workers`, a second instance) may hold
   * it for its own batch: SQLite's busy handler would wait for it by sleeping on this thread, stopping the
   * event loop (verifying, signing, answering other requests) for up to a batch's length. So the attempt is
   * made with no busy wait and retried after short pauses that let the loop run, for as long as the
   * connection's busy_timeout would have waited.
   */
  private async beginImmediate(): Promise<void> {
    if (this.file === ':memory:') {
      this.statement('BEGIN IMMEDIATE').run();
      return;
    }
    this.busyTimeout ??= this.db.pragma('busy_timeout', { simple: true }) as number;
    const timeout = this.busyTimeout;
    const deadline = performance.now() + timeout;
    let pause = 0.25;
    for (;;) {
      this.db.pragma('busy_timeout = 0');
      try {
        this.statement('BEGIN IMMEDIATE').run();
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() >= deadline) throw err;
      } finally {
        this.db.pragma(`busy_timeout = ${timeout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause * (1 + Math.random())));
      pause = Math.min(pause * 2, 4);
    }
  }

  /** Commits the open batch at the end of this turn of the event loop, so the turn's other work joins it. */
  commitSoon(): void {
    const seq = this.batch?.seq;
    if (seq === undefined || this.commitScheduledFor === seq) return;
    this.commitScheduledFor = seq;
    setImmediate(() => {
      if (this.batch?.seq === seq) this.commitNow();
    });
  }

  private commitNow(): void {
    if (this.holder) this.commitDue = true;
    else this.commit();
  }

  private commit(): void {
    this.commitDue = false;
    const batch = this.batch;
    if (!batch) return;
    try {
      this.statement('COMMIT').run();
      this.endBatch();
      batch.resolve();
    } catch (err) {
      if (this.db.inTransaction) {
        try {
          this.statement('ROLLBACK').run();
        } catch {}
      }
      this.failBatch(err);
    }
  }

  private failBatch(err: unknown): void {
    const batch = this.batch;
    this.endBatch();
    if (!batch) return;
    this.failures.push({ seq: batch.seq, error: err });
    if (this.failures.length > 64) this.failures.shift();
    batch.reject(err);
  }

  private endBatch(): void {
    this.batch = undefined;
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const set = openBatches.get(this.file);
    set?.delete(this);
    if (set?.size === 0) openBatches.delete(this.file);
  }
}

/**
 * Runs a compiled statement synchronously inside {@link GroupCommitDriver.atomically}, its parameters checked as
 * every statement's are: the rows of a query (or of a statement with RETURNING), or how many rows it changed.
 */
export type SyncStatements = <R>(query: BoundQuery<R>) => QueryResult<R>;

/** One use of the single connection, from acquire to release. */
class Lease implements DatabaseConnection {
  inTransaction = false;
  /** The batch a transaction on this lease began in. */
  batchSeq = 0;

  constructor(private readonly driver: GroupCommitDriver) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute(compiledQuery.sql, compiledQuery.parameters, this.inTransaction) as Promise<
      QueryResult<R>
    >;
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; the error says so.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on SQLite here');
  }
}
