import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Db, databaseTarget, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { DatabaseRateLimiter } from '../src/rate-limit/database-rate-limiter.js';
import { createTestDatabase, type TestDatabase, testEngine } from './helpers/test-database.js';

// The rate limiter that instances share: fixed windows counted in the database.

describe(`the database rate limiter on ${testEngine()}`, () => {
  let dir: string;
  let database: TestDatabase;
  let one: Db;
  let two: Db;
  const clock = { now: Date.UTC(2026, 0, 1, 0, 0, 0) };
  const now = () => clock.now;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxcoupon-limiter-'));
    database = await createTestDatabase();
    // Two connections (pools) on one database, as two instances have.
    one = openDatabase(databaseTarget(database.url, dir));
    await migrateToLatest(one);
    two = openDatabase(databaseTarget(database.url, dir));
  });
  after(async () => {
    await one?.destroy();
    await two?.destroy();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('allows the limit within a window, refuses the rest, and starts again with the next window', async () => {
    const limiter = new DatabaseRateLimiter(one, now);
    const first = await Promise.all(Array.from({ length: 8 }, () => limiter.tryAcquire('m1:api', 5, 1000)));
    assert.equal(first.filter(Boolean).length, 5);
    clock.now += 1000;
    assert.equal(await limiter.tryAcquire('m1:api', 5, 1000), true);
  });

  test('a window longer than the sweep keeps its count when old windows are swept', async () => {
    const hour = 3_600_000;
    // Half an hour into an hour's window: its row is older than the five minutes other windows are kept.
    clock.now = Date.UTC(2026, 0, 2, 0, 30, 0);
    const a = new DatabaseRateLimiter(one, now);
    const b = new DatabaseRateLimiter(two, now);
    assert.equal(
      (await Promise.all(Array.from({ length: 3 }, () => a.tryAcquire('m-hour:api', 5, hour)))).every(Boolean),
      true,
    );
    // b's first call sweeps; the hour's window must survive it, so only two calls are left.
    const later = await Promise.all(Array.from({ length: 4 }, () => b.tryAcquire('m-hour:api', 5, hour)));
    assert.equal(later.filter(Boolean).length, 2);
  });

  test('two instances on one database draw from one allowance, per key', async () => {
    const a = new DatabaseRateLimiter(one, now);
    const b = new DatabaseRateLimiter(two, now);
    clock.now += 60_000;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).tryAcquire('m2:api', 7, 60_000)),
    );
    assert.equal(answers.filter(Boolean).length, 7);
    assert.equal(await b.tryAcquire('m3:api', 7, 60_000), true, 'another merchant has its own allowance');
  });

  test('large limits are claimed in chunks; two instances together never pass the limit', async () => {
    const a = new DatabaseRateLimiter(one, now);
    const b = new DatabaseRateLimiter(two, now);
    clock.now += 60_000;
    // 1,000 per window: chunks of 20, then single calls once a whole chunk no longer fits.
    const answers = await Promise.all(
      Array.from({ length: 1500 }, (_, i) => (i % 2 ? a : b).tryAcquire('m7:api', 1000, 1000)),
    );
    // Never more than the limit; at most one partly used chunk per instance goes unused (19 + 19).
    const granted = answers.filter(Boolean).length;
    assert.ok(granted <= 1000 && granted >= 1000 - 2 * 19, `granted ${granted}`);
    const row = await one
      .selectFrom('rate_limit_windows')
      .select('hits')
      .where('limit_key', '=', 'm7:api')
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.hits), 1000, 'the shared counter is full, and never past the limit');
  });

  test('a chunk is claimed from the database once, and its remainder ends with its window', async () => {
    const limiter = new DatabaseRateLimiter(one, now);
    clock.now += 60_000;
    const hits = async () =>
      (
        await one
          .selectFrom('rate_limit_windows')
          .select(['window_start', 'hits'])
          .where('limit_key', '=', 'm8:api')
          .orderBy('window_start')
          .execute()
      ).map((r) => Number(r.hits));
    for (let i = 0; i < 15; i++) assert.equal(await limiter.tryAcquire('m8:api', 500, 1000), true);
    assert.deepEqual(await hits(), [20], 'two chunks of 10 cover 15 calls');
    clock.now += 1000;
    assert.equal(await limiter.tryAcquire('m8:api', 500, 1000), true);
    assert.deepEqual(await hits(), [20, 10], 'the next window claims its own chunk; the old remainder is dropped');
  });

  test('a limit of zero refuses every call', async () => {
    assert.equal(await new DatabaseRateLimiter(one, now).tryAcquire('m4:api', 0, 1000), false);
  });

  test('windows older than five minutes are swept', async () => {
    const limiter = new DatabaseRateLimiter(one, now);
    await limiter.tryAcquire('m5:api', 5, 1000);
    clock.now += 6 * 60_000;
    // A fresh limiter sweeps on its first call.
    await new DatabaseRateLimiter(one, now).tryAcquire('m6:api', 5, 1000);
    const left = await one.selectFrom('rate_limit_windows').select('limit_key').execute();
    assert.deepEqual(
      left.map((r) => r.limit_key),
      ['m6:api'],
    );
  });
});
