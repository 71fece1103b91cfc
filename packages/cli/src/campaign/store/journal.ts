import Database from 'better-sqlite3';
import { CampaignError } from '../command/campaign-error.js';
import type { CampaignApi } from '../engine/request-key.js';
import type { InputFormat } from '../input/input-format.js';

/**
 * Where one recipient stands.
 * - pending: not sent yet, or attempted with no definite answer (a rerun retries it with the same key);
 * - sent: WeChat Pay answered with a coupon;
 * - skipped: refused for this person only (abnormal account, per-user limit, openid not of this appid);
 * - failed: refused for good (a bad parameter in this row);
 * - deferred: transient failures used up the attempts or the retry budget; a rerun retries it with the same key.
 */
export type RecipientState = 'pending' | 'sent' | 'skipped' | 'failed' | 'deferred';

export interface CampaignMeta {
  campaignId: string;
  api: CampaignApi;
  stockId: string;
  mchid: string;
  createdAt: string;
}

export interface IngestState {
  source: string | null;
  size: number | null;
  mtimeMs: number | null;
  format: InputFormat | null;
  bytes: number;
  lines: number;
  rows: number;
  duplicates: number;
  done: boolean;
}

export interface RunState {
  state: 'new' | 'running' | 'completed' | 'stopped' | 'incomplete' | 'interrupted';
  stopCode: string | null;
  stopReason: string | null;
  runnerPid: number | null;
  runs: number;
  updatedAt: string | null;
}

export interface RecipientRow {
  seq: number;
  openid: string;
  requestNo: string;
  fields: Record<string, string>;
  state: RecipientState;
  attempts: number;
  coupon: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** The last attempt ended without a definite answer (timeout, network, 5xx): it may have been issued. */
  uncertain: boolean;
}

export interface NewRecipient {
  openid: string;
  requestNo: string;
  fields: Record<string, string>;
  state?: RecipientState;
  errorCode?: string;
  errorMessage?: string;
}

export interface StateCount {
  state: RecipientState;
  count: number;
  attempted: number;
  uncertain: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS campaign (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  campaign_id TEXT NOT NULL,
  api TEXT NOT NULL,
  stock_id TEXT NOT NULL,
  mchid TEXT NOT NULL,
  created_at TEXT NOT NULL,
  input_source TEXT,
  input_size INTEGER,
  input_mtime_ms REAL,
  input_format TEXT,
  ingested_bytes INTEGER NOT NULL DEFAULT 0,
  ingested_lines INTEGER NOT NULL DEFAULT 0,
  ingested_rows INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  ingest_done INTEGER NOT NULL DEFAULT 0,
  run_state TEXT NOT NULL DEFAULT 'new',
  stop_code TEXT,
  stop_reason TEXT,
  runner_pid INTEGER,
  runs INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT
);
CREATE TABLE IF NOT EXISTS recipients (
  seq INTEGER PRIMARY KEY,
  openid TEXT NOT NULL UNIQUE,
  request_no TEXT NOT NULL,
  fields TEXT,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  coupon TEXT,
  error_code TEXT,
  error_message TEXT,
  uncertain INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER
);
CREATE INDEX IF NOT EXISTS recipients_todo ON recipients (seq) WHERE state IN ('pending', 'deferred');
`;

interface RawRecipient {
  seq: number;
  openid: string;
  request_no: string;
  fields: string | null;
  state: RecipientState;
  attempts: number;
  coupon: string | null;
  error_code: string | null;
  error_message: string | null;
  uncertain: number;
}

function toRow(r: RawRecipient): RecipientRow {
  return {
    seq: r.seq,
    openid: r.openid,
    requestNo: r.request_no,
    fields: r.fields ? (JSON.parse(r.fields) as Record<string, string>) : {},
    state: r.state,
    attempts: r.attempts,
    coupon: r.coupon,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    uncertain: r.uncertain === 1,
  };
}

/**
 * The campaign's durable memory: a SQLite file in WAL mode. Every recipient and its idempotency key are committed
 * before the first attempt, each attempt is counted before the request leaves, and each answer is committed when
 * it arrives, so a process killed at any instant leaves a file from which a rerun neither loses nor repeats anyone.
 * WAL with synchronous=NORMAL survives a killed process (the OS still holds the writes); only a power cut can
 * lose the last transactions, and those recipients are then simply retried with their same key.
 */
export class Journal {
  readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly correctStmt: Database.Statement;
  private readonly attemptStmt: Database.Statement;
  private readonly resultStmt: Database.Statement;
  private readonly todoStmt: Database.Statement;
  private queue: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly commitEveryMs: number;

  private constructor(db: Database.Database, commitEveryMs: number) {
    this.db = db;
    this.commitEveryMs = commitEveryMs;
    this.insertStmt = db.prepare(
      `INSERT INTO recipients (openid, request_no, fields, state, error_code, error_message, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (openid) DO NOTHING`,
    );
    // A recipient already journalled whose row now has other fields: a corrected input. Not sent yet, so the new
    // fields are used; one that failed or was skipped is tried again. Rows changed since `?` (this pass) keep theirs,
    // so within one input the first row of an openid still wins.
    this.correctStmt = db.prepare(
      `UPDATE recipients SET fields = ?,
         state = CASE WHEN state IN ('failed', 'skipped') THEN 'pending' ELSE state END,
         error_code = CASE WHEN state IN ('failed', 'skipped') THEN NULL ELSE error_code END,
         error_message = CASE WHEN state IN ('failed', 'skipped') THEN NULL ELSE error_message END,
         updated_at = ?
       WHERE openid = ? AND state <> 'sent' AND updated_at < ? AND fields IS NOT ?`,
    );
    this.attemptStmt = db.prepare('UPDATE recipients SET attempts = attempts + 1, updated_at = ? WHERE seq = ?');
    this.resultStmt = db.prepare(
      `UPDATE recipients SET state = ?, coupon = ?, error_code = ?, error_message = ?, uncertain = ?, updated_at = ?
       WHERE seq = ?`,
    );
    this.todoStmt = db.prepare(
      `SELECT * FROM recipients WHERE state IN ('pending', 'deferred') AND seq > ? ORDER BY seq LIMIT ?`,
    );
  }

  /** Opens (creating if needed) a journal file. */
  static open(file: string, options: { readonly?: boolean; commitEveryMs?: number } = {}): Journal {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (cause) {
      throw new CampaignError(`cannot open the journal ${file}: ${(cause as Error).message}`, 'journal');
    }
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        db.close();
        throw new CampaignError(`${file} was written by a newer wxcoupon (journal version ${version})`, 'journal');
      }
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
    return new Journal(db, options.commitEveryMs ?? 10);
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  /**
   * Attempts and answers are group-committed: queued, then written in one transaction every few milliseconds.
   * One transaction per answer would spend a fifth of a core at 1,000 sends a second. Nothing that exactly-once
   * depends on is delayed: keys are committed before any send, and an answer lost to a kill in the last few
   * milliseconds is recovered by the rerun, which asks again with the same key and gets the same coupon back.
   */
  private enqueue(write: () => void): void {
    this.queue.push(write);
    if (this.commitEveryMs <= 0) {
      this.flush();
    } else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.commitEveryMs);
    }
  }

  /** Commits queued attempts and answers now. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.queue.length === 0) return;
    const writes = this.queue;
    this.queue = [];
    this.db.transaction(() => {
      for (const w of writes) w();
    })();
  }

  meta(): (CampaignMeta & { ingest: IngestState; run: RunState }) | undefined {
    const r = this.db.prepare('SELECT * FROM campaign WHERE id = 1').get() as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      campaignId: r['campaign_id'] as string,
      api: r['api'] as CampaignApi,
      stockId: r['stock_id'] as string,
      mchid: r['mchid'] as string,
      createdAt: r['created_at'] as string,
      ingest: {
        source: (r['input_source'] as string | null) ?? null,
        size: (r['input_size'] as number | null) ?? null,
        mtimeMs: (r['input_mtime_ms'] as number | null) ?? null,
        format: r['input_format'] ? (JSON.parse(r['input_format'] as string) as InputFormat) : null,
        bytes: r['ingested_bytes'] as number,
        lines: r['ingested_lines'] as number,
        rows: r['ingested_rows'] as number,
        duplicates: r['duplicates'] as number,
        done: r['ingest_done'] === 1,
      },
      run: {
        state: r['run_state'] as RunState['state'],
        stopCode: (r['stop_code'] as string | null) ?? null,
        stopReason: (r['stop_reason'] as string | null) ?? null,
        runnerPid: (r['runner_pid'] as number | null) ?? null,
        runs: r['runs'] as number,
        updatedAt: (r['updated_at'] as string | null) ?? null,
      },
    };
  }

  create(meta: CampaignMeta): void {
    this.db
      .prepare(
        `INSERT INTO campaign (id, campaign_id, api, stock_id, mchid, created_at, updated_at)
         VALUES (1, ?, ?, ?, ?, ?, ?)`,
      )
      .run(meta.campaignId, meta.api, meta.stockId, meta.mchid, meta.createdAt, meta.createdAt);
  }

  /** Records which input is being read, so a rerun can tell whether a saved byte offset still applies. */
  beginIngest(source: string, size: number | null, mtimeMs: number | null, restart: boolean): void {
    this.db
      .prepare(
        `UPDATE campaign SET input_source = ?, input_size = ?, input_mtime_ms = ?,
           ingested_bytes = CASE WHEN ? THEN 0 ELSE ingested_bytes END,
           ingested_lines = CASE WHEN ? THEN 0 ELSE ingested_lines END,
           ingested_rows = CASE WHEN ? THEN 0 ELSE ingested_rows END,
           ingest_done = 0 WHERE id = 1`,
      )
      .run(source, size, mtimeMs, restart ? 1 : 0, restart ? 1 : 0, restart ? 1 : 0);
  }

  setFormat(format: InputFormat): void {
    this.db.prepare('UPDATE campaign SET input_format = ? WHERE id = 1').run(JSON.stringify(format));
  }

  /**
   * Adds a batch of recipients and moves the input checkpoint in the same transaction, so the checkpoint never
   * runs ahead of (or behind) what the journal holds. With `correctBefore` (the start of a pass over a changed
   * input), a recipient journalled before then and not yet sent takes the fields of its row in this input.
   */
  ingest(
    batch: NewRecipient[],
    checkpoint: { bytes: number; lines: number; rows: number },
    correctBefore?: number,
  ): { added: number; corrected: number } {
    const now = Date.now();
    const run = this.db.transaction(() => {
      let added = 0;
      let corrected = 0;
      for (const r of batch) {
        const fields = Object.keys(r.fields).length > 0 ? JSON.stringify(r.fields) : null;
        const info = this.insertStmt.run(
          r.openid,
          r.requestNo,
          fields,
          r.state ?? 'pending',
          r.errorCode ?? null,
          r.errorMessage ?? null,
          now,
        );
        added += info.changes;
        if (info.changes === 0 && correctBefore !== undefined && r.state === undefined) {
          corrected += this.correctStmt.run(fields, now, r.openid, correctBefore, fields).changes;
        }
      }
      this.db
        .prepare(
          `UPDATE campaign SET ingested_bytes = ?, ingested_lines = ?, ingested_rows = ?,
             duplicates = duplicates + ? WHERE id = 1`,
        )
        .run(checkpoint.bytes, checkpoint.lines, checkpoint.rows, batch.length - added - corrected);
      return { added, corrected };
    });
    return run();
  }

  finishIngest(): void {
    this.db.prepare('UPDATE campaign SET ingest_done = 1 WHERE id = 1').run();
  }

  /** Recipients still to send (never sent, or left without a definite answer), in input order after `afterSeq`. */
  todo(afterSeq: number, limit: number): RecipientRow[] {
    this.flush();
    return (this.todoStmt.all(afterSeq, limit) as RawRecipient[]).map(toRow);
  }

  /** Counted as the request leaves, so a crash mid-request shows as an attempt with no answer. */
  recordAttempt(seq: number): void {
    const now = Date.now();
    this.enqueue(() => this.attemptStmt.run(now, seq));
  }

  recordResult(
    seq: number,
    state: RecipientState,
    result: { coupon?: string | null; errorCode?: string | null; errorMessage?: string | null; uncertain?: boolean },
  ): void {
    const values = [
      state,
      result.coupon ?? null,
      result.errorCode ?? null,
      result.errorMessage ?? null,
      result.uncertain ? 1 : 0,
      Date.now(),
      seq,
    ];
    this.enqueue(() => this.resultStmt.run(values));
  }

  counts(): StateCount[] {
    this.flush();
    return this.db
      .prepare(
        `SELECT state, count(*) AS count, sum(attempts > 0) AS attempted, sum(uncertain) AS uncertain
         FROM recipients GROUP BY state`,
      )
      .all() as StateCount[];
  }

  /** The most frequent error codes among recipients not sent, for the status report. */
  topErrors(limit: number): { state: RecipientState; code: string; message: string | null; count: number }[] {
    this.flush();
    return this.db
      .prepare(
        `SELECT state, error_code AS code, max(error_message) AS message, count(*) AS count FROM recipients
         WHERE error_code IS NOT NULL AND state != 'sent' GROUP BY state, error_code ORDER BY count DESC LIMIT ?`,
      )
      .all(limit) as { state: RecipientState; code: string; message: string | null; count: number }[];
  }

  /** Every recipient in input order, streamed (the statement iterates; nothing is collected). */
  *all(): Generator<RecipientRow> {
    this.flush();
    for (const r of this.db.prepare('SELECT * FROM recipients ORDER BY seq').iterate() as Iterable<RawRecipient>) {
      yield toRow(r);
    }
  }

  setRunState(state: RunState['state'], stop?: { code: string; reason: string }): void {
    this.flush();
    this.db
      .prepare(
        `UPDATE campaign SET run_state = ?, stop_code = ?, stop_reason = ?, updated_at = ?,
           runner_pid = CASE WHEN ? = 'running' THEN ? ELSE NULL END,
           runs = runs + CASE WHEN ? = 'running' THEN 1 ELSE 0 END WHERE id = 1`,
      )
      .run(state, stop?.code ?? null, stop?.reason ?? null, new Date().toISOString(), state, process.pid, state);
  }
}
