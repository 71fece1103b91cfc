import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { startTestPlatform } from '../helpers/platform.js';
import { postgresServerUrl, testEngine } from '../helpers/test-database.js';

// PostgreSQL may drop a platform's idle connections (a restart, an administrator, a network blip).
// The platform must carry on with fresh connections instead of dying on the pool's error event.

test('connections dropped by PostgreSQL are replaced and the platform keeps answering', {
  skip: testEngine() !== 'postgres' && 'PostgreSQL only',
}, async () => {
  const t = await startTestPlatform({ rateLimits: { 'favor.coupons.send': 10_000 } });
  const admin = new pg.Client({ connectionString: postgresServerUrl() });
  await admin.connect();
  try {
    const c = t.platform.credentials;
    const send = (n: number) =>
      t.client.post(`/v3/marketing/favor/users/o-drop-${n}/coupons`, {
        stock_id: c.favorStockId,
        out_request_no: `drop${n}`,
        appid: c.appid,
        stock_creator_mchid: c.mchid,
      });
    // Fill the pool with idle connections, then have the server end every one of them.
    await Promise.all(Array.from({ length: 8 }, (_, i) => send(i)));
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.platform.context.db);
    // A connection checked out between two statements (inside a transaction, say) is ended: the client
    // emits 'error' while the pool is not listening to it, which must not end the process; the next statement
    // on it fails, and the connection is not handed out again.
    const held = await t.platform.context.db.connection().execute(async (conn) => {
      const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
      await admin.query('select pg_terminate_backend($1)', [pid.rows[0]?.pid]);
      await new Promise((ok) => setTimeout(ok, 200));
      return sql`select 1`.execute(conn).then(
        () => 'answered',
        (err: Error) => err.message,
      );
    });
    assert.notEqual(held, 'answered');
    const ended = await admin.query(
      'select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = $1) x',
      [rows[0]?.name],
    );
    assert.ok(ended.rows[0].n > 0, 'some connections were ended');
    await new Promise((ok) => setTimeout(ok, 200));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send(100 + i)));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(8).fill(200),
    );
  } finally {
    await admin.end();
    await t.close();
  }
});
