import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Dialect, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PlatformStartError } from '../errors/platform-start-error.js';
import { ensurePrivateFile, tighten } from '../private-files.js';
import { guardParameters } from './parameter-guard.js';
import type { Database } from './schema.js';
import { type GroupCommitDriver, GroupCommitSqliteDialect } from './sqlite-group-commit.js';

// The one place that knows which database engine is in use. Everything else sees Kysely<Database>
// and writes SQL that both engines accept.

export type Db = Kysely<Database>;

export interface DatabaseTarget {
  engine: 'sqlite' | 'postgres';
  /** Shown in logs and the quick-start, password removed. */
  display: string;
  dialect: Dialect;
}

/**
 * Chooses the dialect from a URL: `sqlite:<path>` (relative to the data directory) or
 * `postgres://…` / `postgresql://…`. Without a URL, `<dataDir>/platform.sqlite`.
 */
export function databaseTarget(url: string | undefined, dataDir: string): DatabaseTarget {
  if (!url || url.startsWith('sqlite:')) {
    const given = url ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : 'platform.sqlite';
    const file = given === ':memory:' ? given : isAbsolute(given) ? given : resolve(join(dataDir, given));
    if (file !== ':memory:') {
      mkdirSync(resolve(file, '..'), { recursive: true, mode: 0o700 });
      // SQLite creates its -wal, -shm and -journal files with the main file's mode, so the main file
      // is made owner-only before SQLite opens it; side files an earlier version left wider (after a
      // crash) are narrowed first, as SQLite would reuse them.
      for (const side of ['-wal', '-shm', '-journal']) tighten(`${file}${side}`);
      tighten(file);
      ensurePrivateFile(file);
    }
    const sqlite = new SqliteDatabase(file);
    // WAL lets readers proceed during a write; synchronous=NORMAL in WAL mode still never loses a
    // committed transaction to a process crash (only to a power loss), which is the durability we promise.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    return {
      engine: 'sqlite',
      display: `sqlite:${file}`,
      dialect: new GroupCommitSqliteDialect(sqlite, file),
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // bigint columns hold money and epoch milliseconds, all far below 2^53: read them as numbers.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // The server may end connections (restart, administrator, network): the pool discards them and opens
    // new ones on demand, but an 'error' event without a listener would end the process. The pool listens
    // only while a connection is idle; one that drops while checked out fails its query (the caller sees
    // that) and also emits 'error' on the client itself, so every client gets a listener of its own.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return {
      engine: 'postgres',
      display: url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'),
      dialect: new PostgresDialect({ pool }),
    };
  }
  throw new PlatformStartError(
    `unsupported database URL "${url}": use sqlite:<path> or postgres://user:pass@host:port/db`,
  );
}

const groupCommit = new WeakMap<Db, GroupCommitDriver>();

export function openDatabase(target: DatabaseTarget): Db {
  const db = new Kysely<Database>({ dialect: guardParameters(target.dialect) });
  if (target.dialect instanceof GroupCommitSqliteDialect) groupCommit.set(db, target.dialect.driver);
  return db;
}

/** The group-commit driver behind a SQLite database; none on PostgreSQL, whose commits are immediate. */
export function groupCommitOf(db: Db): GroupCommitDriver | undefined {
  return groupCommit.get(db);
}

/** True when `err` is a unique or primary-key violation, on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Where an idempotent create finds what an earlier request with its request number stored. */
export interface StoredRequest<Row extends { request_hash: string }, T> {
  /** The digest of what this request asks for (request-digest.ts). */
  hash: string;
  /** The row stored under this request's number, if any. */
  find: () => Promise<Row | undefined>;
  /** What the stored row answers again. */
  answer: (row: Row) => T;
  /** The family's own error for the same number with other content. */
  reused: () => Error;
}

/**
 * An idempotent create: a request number seen before answers the first request again when the content is
 * the same (a retry after a timeout is safe) and is refused with `reused()` when it differs; otherwise
 * `create` makes its checks and its insert. Concurrent twins meet at the unique key, never at a read: the
 * one that loses the race answers what the winner stored. A violation with nothing to replay is rethrown.
 */
export async function createOrReplay<Row extends { request_hash: string }, T>(
  stored: StoredRequest<Row, T>,
  create: () => Promise<T>,
): Promise<T> {
  const replay = async (): Promise<{ value: T } | undefined> => {
    const row = await stored.find();
    if (!row) return undefined;
    if (row.request_hash !== stored.hash) throw stored.reused();
    return { value: stored.answer(row) };
  };
  const prior = await replay();
  if (prior) return prior.value;
  try {
    return await create();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const again = await replay();
    if (again) return again.value;
    throw err;
  }
}
