import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

// Which engine the platform tests run on. The suite always runs on SQLite; `scripts/run-tests.mjs`
// runs it a second time with WXCOUPON_TEST_ENGINE=postgres when WXCOUPON_TEST_PG_URL names a server
// (`scripts/pg.sh run npm test`). On PostgreSQL every platform a test starts gets a database of its
// own, created here and dropped when the test closes it, so test files never see each other's rows.

export type TestEngine = 'sqlite' | 'postgres';

export function testEngine(): TestEngine {
  return process.env.WXCOUPON_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/** The server URL tests may use, or undefined when no PostgreSQL server was given. */
export function postgresServerUrl(): string | undefined {
  return process.env.WXCOUPON_TEST_PG_URL || undefined;
}

export interface TestDatabase {
  /** The `database` option for createPlatform: undefined means the default SQLite file. */
  url: string | undefined;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  engine?: TestEngine;
  /**
   * A data directory the test restarts platforms on: the database is remembered there, reused by the
   * next start on that directory, and kept (the throwaway server goes away as a whole).
   */
  keepIn?: string | undefined;
}

/** A fresh, empty database on the engine under test (SQLite: the data directory's default file). */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const engine = options.engine ?? testEngine();
  if (engine === 'sqlite') return { url: undefined, drop: async () => {} };
  const server = postgresServerUrl();
  if (!server) throw new Error('WXCOUPON_TEST_ENGINE=postgres needs WXCOUPON_TEST_PG_URL (see scripts/pg.sh)');
  const { keepIn } = options;
  const memo = keepIn ? join(keepIn, 'test-database-url') : undefined;
  if (memo && existsSync(memo)) return { url: readFileSync(memo, 'utf8').trim(), drop: async () => {} };
  const name = `wxc_${process.pid}_${randomBytes(6).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  if (keepIn && memo) {
    // It becomes the platform's data directory, which must be owner-only.
    mkdirSync(keepIn, { recursive: true, mode: 0o700 });
    writeFileSync(memo, url.toString(), { mode: 0o600 });
    return { url: url.toString(), drop: async () => {} };
  }
  return {
    url: url.toString(),
    drop: () => dropDatabase(server, name),
  };
}

/**
 * A closed pool hangs up asynchronously, so its last connections may still be saying goodbye: wait
 * for them (a FORCE drop would make their clients emit errors in this process), then drop with
 * FORCE for the connections a killed child process left behind.
 */
async function dropDatabase(server: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if (r.rows[0]?.n === 0) break;
      if (i === 199) process.stderr.write(`test database ${name}: ${r.rows[0]?.n} connections left open, forcing\n`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function admin(server: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
