import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCommitOf } from '../src/db/database.js';
import type { GroupCommitDriver } from '../src/db/sqlite-group-commit.js';
import { type SendArgs, type SendRefusal, sendInOneStep } from '../src/features/favor/favor.repository.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { sendArgsMaker } from './helpers/send-args.js';
import { testEngine } from './helpers/test-database.js';
import { runningStock } from './reliability/helpers/stocks.js';

// On SQLite a 代金券 send runs as one synchronous transaction (GroupCommitDriver.atomically). A refusal that
// comes after the send's first writes (a new user registered, a per-user slot taken, the stock's budget counted)
// must undo them all, and a repeated request number must leave the rows as they were.

describe('代金券 one-step send on SQLite', { skip: testEngine() !== 'sqlite' }, () => {
  let t: TestPlatform;
  let driver: GroupCommitDriver;

  before(async () => {
    t = await startTestPlatform({ rateLimits: { 'favor.coupons.send': 100_000 } });
    const d = groupCommitOf(t.platform.context.db);
    assert.ok(d, 'a SQLite platform group-commits');
    driver = d;
    made = sendArgsMaker(t.platform.credentials, 'step', '8');
  });
  after(() => t.close());

  let made: ReturnType<typeof sendArgsMaker>;
  const args = (stockId: string, over: Partial<SendArgs> = {}) => made.next(stockId, over);
  const send = (a: SendArgs): Promise<SendRefusal | undefined> => sendInOneStep(driver, t.platform.context.db, a);

  /** What a send can leave behind for a stock and a user. */
  async function rowsOf(stockId: string, openid: string) {
    const db = t.platform.context.db;
    const count = async (q: { execute(): Promise<unknown[]> }) => (await q.execute()).length;
    const stock = await db
      .selectFrom('favor_stocks')
      .select(['distributed_coupons', 'distributed_amount'])
      .where('stock_id', '=', stockId)
      .executeTakeFirstOrThrow();
    return {
      users: await count(db.selectFrom('users').select('openid').where('openid', '=', openid)),
      slots: await count(
        db
          .selectFrom('favor_user_counts')
          .select('user_key')
          .where('stock_id', '=', stockId)
          .where('user_key', 'like', `%:${openid}`),
      ),
      coupons: await count(db.selectFrom('favor_coupons').select('coupon_id').where('stock_id', '=', stockId)),
      distributed: Number(stock.distributed_coupons),
      amount: Number(stock.distributed_amount),
    };
  }

  test('a send issues the coupon, registers the new user and counts the budget', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 5);
    const a = args(stockId);
    assert.equal(await send(a), undefined);
    await driver.durable();
    assert.deepEqual(await rowsOf(stockId, a.openid), { users: 1, slots: 1, coupons: 1, distributed: 1, amount: 100 });
  });

  test('a spent budget undoes the new user and the per-user slot taken before it', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 5);
    for (let i = 0; i < 5; i++) assert.equal(await send(args(stockId)), undefined);
    const late = args(stockId);
    assert.equal(await send(late), 'stock_budget');
    assert.deepEqual(await rowsOf(stockId, late.openid), {
      users: 0,
      slots: 0,
      coupons: 5,
      distributed: 5,
      amount: 500,
    });
  });

  test('a spent day budget undoes the stock budget counted before it', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 5, { max_amount_by_day: 100 });
    assert.equal(await send(args(stockId)), undefined);
    const late = args(stockId);
    assert.equal(await send(late), 'day_budget');
    assert.deepEqual(await rowsOf(stockId, late.openid), {
      users: 0,
      slots: 0,
      coupons: 1,
      distributed: 1,
      amount: 100,
    });
  });

  test('a repeated request number throws the unique violation and writes nothing', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 5);
    const first = args(stockId);
    assert.equal(await send(first), undefined);
    const again = args(stockId, { outRequestNo: first.outRequestNo });
    await assert.rejects(send(again), (err: { code?: string }) => err.code === 'SQLITE_CONSTRAINT_UNIQUE');
    assert.deepEqual(await rowsOf(stockId, again.openid), {
      users: 0,
      slots: 0,
      coupons: 1,
      distributed: 1,
      amount: 100,
    });
  });

  test('refusals about the caller come before any write', async () => {
    const stockId = await runningStock(t.client, t.platform.credentials.mchid, 5);
    assert.equal(await send(args(stockId, { stockId: '99999999' })), 'no_stock');
    assert.equal(await send(args(stockId, { creator: '1900000000' })), 'wrong_creator');
    assert.equal(await send(args(stockId, { sender: '1900000000' })), 'not_shared');
    const unknown = args(stockId, { autoRegister: false });
    assert.equal(await send(unknown), 'unknown_user');
    assert.deepEqual(await rowsOf(stockId, unknown.openid), {
      users: 0,
      slots: 0,
      coupons: 0,
      distributed: 0,
      amount: 0,
    });
  });
});
