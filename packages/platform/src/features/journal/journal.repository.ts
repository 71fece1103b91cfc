import { CompiledQuery } from 'kysely';
import type { Db } from '../../db/database.js';

// Queries for the request journal. Rows are only ever inserted (in batches) and deleted by retention.

export interface RequestJournalTable {
  id: string;
  time_ms: number;
  request_id: string;
  mchid: string | null;
  method: string;
  path: string;
  api: string | null;
  status: number;
  code: string | null;
  latency_ms: number;
  signature_verdict: string;
  signature_reason: string | null;
  signature_message: string | null;
  signature_explanation: string | null;
  fault: string | null;
  request_headers: string;
  request_body: string | null;
  request_truncated: number;
  response_headers: string;
  response_body: string | null;
  response_truncated: number;
}

declare module '../../db/schema.js' {
  interface Database {
    request_journal: RequestJournalTable;
  }
}

export type JournalRow = RequestJournalTable;

export interface JournalFilter {
  mchid?: string;
  api?: string;
  /** An exact status, or a class as its lowest and highest status. */
  status?: { from: number; to: number };
  code?: string;
  requestId?: string;
  /** Rows older than this id (the previous page's cursor). */
  before?: string;
  limit: number;
}

/** Columns of a list row: everything but the bodies and the built message. */
const SUMMARY = [
  'id',
  'time_ms',
  'request_id',
  'mchid',
  'method',
  'path',
  'api',
  'status',
  'code',
  'latency_ms',
  'signature_verdict',
  'signature_reason',
  'fault',
] as const;

export type JournalSummaryRow = Pick<JournalRow, (typeof SUMMARY)[number]>;

// Rows per INSERT: well under either engine's limit on bound parameters (21 columns each).
const ROWS_PER_INSERT = 200;

const COLUMNS = [
  'id',
  'time_ms',
  'request_id',
  'mchid',
  'method',
  'path',
  'api',
  'status',
  'code',
  'latency_ms',
  'signature_verdict',
  'signature_reason',
  'signature_message',
  'signature_explanation',
  'fault',
  'request_headers',
  'request_body',
  'request_truncated',
  'response_headers',
  'response_body',
  'response_truncated',
] as const satisfies readonly (keyof JournalRow)[];

// The INSERT for n rows, compiled once per engine and row count: Kysely would otherwise build and
// compile a statement of thousands of values for every batch, the larger part of what a record costs.
const insertSql = new WeakMap<object, Map<number, string>>();

export async function insertRows(db: Db, rows: JournalRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const batch = rows.slice(i, i + ROWS_PER_INSERT);
    const values: unknown[] = [];
    for (const row of batch) for (const column of COLUMNS) values.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(compiledInsert(db, batch.length), values));
  }
}

function compiledInsert(db: Db, n: number): string {
  const adapter = db.getExecutor().adapter;
  let byCount = insertSql.get(adapter);
  if (!byCount) {
    byCount = new Map();
    insertSql.set(adapter, byCount);
  }
  let sql = byCount.get(n);
  if (!sql) {
    const row = Object.fromEntries(COLUMNS.map((c) => [c, null])) as unknown as JournalRow;
    sql = db
      .insertInto('request_journal')
      .values(Array.from({ length: n }, () => row))
      .compile().sql;
    byCount.set(n, sql);
  }
  return sql;
}

/** Newest first; one row more than `limit`, so the caller knows whether another page follows. */
export function listRows(db: Db, f: JournalFilter): Promise<JournalSummaryRow[]> {
  let q = db.selectFrom('request_journal').select(SUMMARY);
  if (f.mchid !== undefined) q = q.where('mchid', '=', f.mchid);
  if (f.api !== undefined) q = q.where('api', '=', f.api);
  if (f.status !== undefined) q = q.where('status', '>=', f.status.from).where('status', '<=', f.status.to);
  if (f.code !== undefined) q = q.where('code', '=', f.code);
  if (f.requestId !== undefined) q = q.where('request_id', '=', f.requestId);
  if (f.before !== undefined) q = q.where('id', '<', f.before);
  return q
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
}

export function getRow(db: Db, id: string): Promise<JournalRow | undefined> {
  return db.selectFrom('request_journal').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes rows older than `olderThanMs`, and beyond the newest `maxRows`; returns how many went. */
export async function pruneRows(db: Db, olderThanMs: number, maxRows: number): Promise<number> {
  // Ids begin with the arrival time in milliseconds, 13 digits: the key orders rows by age.
  const aged = await db
    .deleteFrom('request_journal')
    .where('id', '<', String(Math.max(0, olderThanMs)).padStart(13, '0'))
    .executeTakeFirst();
  const edge = await db
    .selectFrom('request_journal')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .offset(maxRows)
    .executeTakeFirst();
  let counted = 0;
  if (edge) {
    const r = await db.deleteFrom('request_journal').where('id', '<=', edge.id).executeTakeFirst();
    counted = Number(r.numDeletedRows);
  }
  return Number(aged.numDeletedRows) + counted;
}
