import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/db/schema.js';
import {
  dailyAmounts,
  returnIdleSlices,
  type SendRefusal,
  sendInOneCall,
} from '../src/features/favor/favor.repository.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { sendArgsMaker } from './helpers/send-args.js';
import { issuedCounts } from './helpers/stock-as-read.js';
import { testEngine } from './helpers/test-database.js';
import { runningStock } from './reliability/helpers/stocks.js';

// PostgreSQL claims a 代金券 stock's budget in slices, one per database connection (migration 0016). Two
// connections are driven by hand here, one send at a time, so each step's effect on the slices is known:
// what a stock reads as issued stays exact after every send, the budget one connection claimed and left
// is issued by another (also once the first has closed), and the stock's last coupon is the budget's. Day
// budgets are claimed the same way (migration 0017), per stock and Beijing day.

describe('代金券 budget slices on PostgreSQL', { skip: testEngine() !== 'postgres' }, () => {
  let t: TestPlatform;
  let url: string;
  const connections: Array<Kysely<Database>> = [];

  before(async () => {
    t = await startTestPlatform({ rateLimits: { 'favor.coupons.send': 100_000 } });
    made = sendArgsMaker(t.platform.credentials, 'slice', '9');
    const config = process.env.WXCOUPON_TEST_PG_URL;
    assert.ok(config, 'the PostgreSQL pass names its server');
    const row = await t.platform.context.db
      .selectNoFrom((e) => e.fn<string>('current_database', []).as('name'))
      .executeTakeFirstOrThrow();
    const server = new URL(config);
    server.pathname = `/${row.name}`;
    url = server.toString();
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.destroy()));
    await t.close();
  });

  /** A database handle with exactly one connection, so every send it makes uses the same slice. */
  function oneConnection(): Kysely<Database> {
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
    });
    connections.push(db);
    return db;
  }

  let made: ReturnType<typeof sendArgsMaker>;
  function send(db: Kysely<Database>, stockId: string): Promise<SendRefusal | undefined> {
    return sendInOneCall(db, made.next(stockId));
  }

  const issued = (stockId: string) => issuedCounts(t.platform.context.db, stockId);

  test('a connection claims up to 16 at once; what it holds is not issued, and another connection takes it', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 20);
    const a = oneConnection();
    const b = oneConnection();
    assert.equal(await send(a, stockId), undefined);
    assert.deepEqual(await issued(stockId), { rows: 1, distributed: 1, amount: 100, claimed: 16 });
    assert.equal(await send(b, stockId), undefined);
    // B could claim only the 4 the stock row had left.
    assert.deepEqual(await issued(stockId), { rows: 2, distributed: 2, amount: 200, claimed: 20 });
    // A leaves with 15 in its slice: B's sends take them once its own 3 are gone.
    await a.destroy();
    for (let i = 3; i <= 20; i++) {
      assert.equal(await send(b, stockId), undefined, `send ${i}`);
      const now = await issued(stockId);
      assert.deepEqual(now, { rows: i, distributed: i, amount: i * 100, claimed: 20 }, `after send ${i}`);
    }
    assert.equal(await send(b, stockId), 'stock_budget');
    assert.equal(await send(oneConnection(), stockId), 'stock_budget');
    assert.deepEqual(await issued(stockId), { rows: 20, distributed: 20, amount: 2000, claimed: 20 });
    // The stock as the API answers it.
    const res = await t.client.get(
      `/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${t.platform.credentials.mchid}`,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.data.distributed_coupons, 20);
  });

  test('a refused send gives back what it took from a slice', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 10);
    const a = oneConnection();
    assert.equal(await send(a, stockId), undefined);
    assert.deepEqual(await issued(stockId), { rows: 1, distributed: 1, amount: 100, claimed: 10 });
    // The same request number again: the coupon insert fails, and the slice is as it was.
    await assert.rejects(
      sendInOneCall(
        a,
        made.next(stockId, {
          openid: 'o-slice-again',
          couponId: '900000000000009999',
          outRequestNo: `slice-${made.last}`,
        }),
      ),
      (err: { code?: string }) => err.code === '23505',
    );
    assert.deepEqual(await issued(stockId), { rows: 1, distributed: 1, amount: 100, claimed: 10 });
    for (let i = 2; i <= 10; i++) assert.equal(await send(a, stockId), undefined);
    assert.equal(await send(a, stockId), 'stock_budget');
    assert.deepEqual(await issued(stockId), { rows: 10, distributed: 10, amount: 1000, claimed: 10 });
  });

  test('a paused stock refuses every connection, slices or not', async () => {
    const { mchid } = t.platform.credentials;
    const stockId = await runningStock(t.client, mchid, 40);
    const a = oneConnection();
    assert.equal(await send(a, stockId), undefined);
    const paused = await t.client.post(`/v3/marketing/favor/stocks/${stockId}/pause`, { stock_creator_mchid: mchid });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(await send(a, stockId), 'not_running');
    assert.equal(await send(oneConnection(), stockId), 'not_running');
    assert.deepEqual(await issued(stockId), { rows: 1, distributed: 1, amount: 100, claimed: 16 });
  });

  test('the slices of closed and idle connections go back to their stock, and a later send claims anew', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 40);
    const db = t.platform.context.db;
    const a = oneConnection();
    const b = oneConnection();
    assert.equal(await send(a, stockId), undefined);
    assert.equal(await send(b, stockId), undefined);
    assert.deepEqual(await issued(stockId), { rows: 2, distributed: 2, amount: 200, claimed: 32 });
    // A has closed; B is idle, but not for a minute: of this stock's, only A's 15 go back (the count includes
    // slices of earlier tests' closed connections).
    await a.destroy();
    assert.ok((await returnIdleSlices(db, 60_000)) >= 1);
    assert.deepEqual(await issued(stockId), { rows: 2, distributed: 2, amount: 200, claimed: 17 });
    // Idle at all is enough with no grace: B's 15 go back too, and nothing is left to return.
    assert.ok((await returnIdleSlices(db, 0)) >= 1);
    assert.deepEqual(await issued(stockId), { rows: 2, distributed: 2, amount: 200, claimed: 2 });
    assert.equal(await returnIdleSlices(db, 0), 0);
    // B's next send claims a new slice from the row, and the stock's last coupons are still issued.
    assert.equal(await send(b, stockId), undefined);
    assert.deepEqual(await issued(stockId), { rows: 3, distributed: 3, amount: 300, claimed: 18 });
    for (let i = 4; i <= 40; i++) assert.equal(await send(b, stockId), undefined, `send ${i}`);
    assert.equal(await send(b, stockId), 'stock_budget');
    assert.deepEqual(await issued(stockId), { rows: 40, distributed: 40, amount: 4000, claimed: 40 });
  });

  /**
   * 300 sends of a stock over 4 pools of 3 connections each, with idle slices returned all along, as fast as
   * returnIdleSlices can run; what each send got, and how many slices went back meanwhile.
   */
  async function raceReturningSlices(stockId: string) {
    const db = t.platform.context.db;
    const pools = Array.from({ length: 4 }, () => {
      const k = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 3 }) }),
      });
      connections.push(k);
      return k;
    });
    let sending = true;
    let returned = 0;
    const returning = (async () => {
      while (sending) returned += await returnIdleSlices(db, 0);
    })();
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) => send(pools[i % 4] as Kysely<Database>, stockId)),
    );
    sending = false;
    await returning;
    return { outcomes, returned };
  }

  test('returning slices while sends race over them issues the budget exactly', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 250);
    const db = t.platform.context.db;
    const { outcomes, returned } = await raceReturningSlices(stockId);
    assert.equal(outcomes.filter((o) => o === undefined).length, 250);
    assert.deepEqual(new Set(outcomes.filter((o) => o !== undefined)), new Set(['stock_budget']));
    assert.ok(returned > 0, 'some slices went back while the sends ran');
    await returnIdleSlices(db, 0);
    assert.deepEqual(await issued(stockId), { rows: 250, distributed: 250, amount: 25_000, claimed: 250 });
  });

  /** A stock's day as read (issued) and its day row's own count (claimed into slices or issued). */
  async function day(stockId: string, on = '2026-12-02') {
    const db = t.platform.context.db;
    const row = await db
      .selectFrom('favor_daily_amounts')
      .select('amount')
      .where('stock_id', '=', stockId)
      .where('day', '=', on)
      .executeTakeFirst();
    return { issued: (await dailyAmounts(db, on)).get(stockId) ?? 0, claimed: Number(row?.amount ?? 0) };
  }

  test('a day budget is claimed in slices too: 16 coupons at once, the last ones from another connection', async () => {
    // 100 per coupon: the day allows 20 coupons, the stock 100.
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 100, { max_amount_by_day: 2000 });
    const a = oneConnection();
    const b = oneConnection();
    assert.equal(await send(a, stockId), undefined);
    assert.deepEqual(await day(stockId), { issued: 100, claimed: 1600 });
    assert.equal(await send(b, stockId), undefined);
    // B could claim only the 4 coupons' worth the day had left.
    assert.deepEqual(await day(stockId), { issued: 200, claimed: 2000 });
    await a.destroy();
    for (let i = 3; i <= 20; i++) {
      assert.equal(await send(b, stockId), undefined, `send ${i}`);
      assert.deepEqual(await day(stockId), { issued: i * 100, claimed: 2000 }, `after send ${i}`);
    }
    assert.equal(await send(b, stockId), 'day_budget');
    assert.equal(await send(oneConnection(), stockId), 'day_budget');
    // The next day has a budget of its own; what the first day refused took nothing from the stock.
    assert.equal(await sendInOneCall(b, made.next(stockId, { day: '2026-12-03' })), undefined);
    assert.deepEqual(await day(stockId, '2026-12-03'), { issued: 100, claimed: 1600 });
    assert.deepEqual(await day(stockId), { issued: 2000, claimed: 2000 });
    const counts = await issued(stockId);
    assert.equal(counts.rows, 21);
    assert.equal(counts.distributed, 21);
  });

  test('a send refused on its day budget gives back its stock slice take, and a refused one its day take', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 30, { max_amount_by_day: 500 });
    const a = oneConnection();
    for (let i = 1; i <= 5; i++) assert.equal(await send(a, stockId), undefined);
    assert.equal(await send(a, stockId), 'day_budget');
    assert.deepEqual(await issued(stockId), { rows: 5, distributed: 5, amount: 500, claimed: 16 });
    assert.deepEqual(await day(stockId), { issued: 500, claimed: 500 });
    // A request number used before: nothing of the day is taken either.
    const other = await runningStock(t.client, t.platform.credentials.mchid, 30, { max_amount_by_day: 3000 });
    assert.equal(await send(a, other), undefined);
    await assert.rejects(
      sendInOneCall(a, made.next(other, { outRequestNo: `slice-${made.last}` })),
      (err: { code?: string }) => err.code === '23505',
    );
    assert.deepEqual(await day(other), { issued: 100, claimed: 1600 });
  });

  test('the day slices of idle connections go back to their day, also while sends race over them', async () => {
    const db = t.platform.context.db;
    const quiet = await runningStock(t.client, t.platform.credentials.mchid, 100, { max_amount_by_day: 4000 });
    const a = oneConnection();
    assert.equal(await send(a, quiet), undefined);
    assert.deepEqual(await day(quiet), { issued: 100, claimed: 1600 });
    assert.ok((await returnIdleSlices(db, 0)) >= 2, 'its stock slice and its day slice');
    assert.deepEqual(await day(quiet), { issued: 100, claimed: 100 });
    assert.equal(await send(a, quiet), undefined);
    assert.deepEqual(await day(quiet), { issued: 200, claimed: 1700 });

    // 300 sends over 4 pools for a day of 150 coupons (the stock has 250), slices returned all along.
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 250, { max_amount_by_day: 15_000 });
    const { outcomes, returned } = await raceReturningSlices(stockId);
    assert.equal(outcomes.filter((o) => o === undefined).length, 150);
    assert.deepEqual(new Set(outcomes.filter((o) => o !== undefined)), new Set(['day_budget']));
    assert.ok(returned > 0, 'some slices went back while the sends ran');
    await returnIdleSlices(db, 0);
    assert.deepEqual(await day(stockId), { issued: 15_000, claimed: 15_000 });
    assert.deepEqual(await issued(stockId), { rows: 150, distributed: 150, amount: 15_000, claimed: 150 });
  });
});
