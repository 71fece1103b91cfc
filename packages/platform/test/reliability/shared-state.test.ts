import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { busifavorStockBody } from '../busifavor-helpers.js';
import type { SignedClient, SignedResponse } from '../helpers/signed-fetch.js';
import { testEngine } from '../helpers/test-database.js';
import { type Cluster, startCluster, UNTHROTTLED } from './helpers/cluster.js';
import { Tally } from './helpers/pool.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// Three instances behave as one platform: idempotency, per-user limits and rate limits hold across
// them, because each is decided in the shared database and not in a process's memory.

const READ_LIMIT = 30;

describe(`three instances on one ${testEngine()} database behave as one`, () => {
  let cluster: Cluster;
  let clients: SignedClient[];

  before(async () => {
    // Stock reads get a small per-minute allowance; everything else is unthrottled.
    cluster = await startCluster(3, { ...UNTHROTTLED, 'favor.stocks.get': { limit: READ_LIMIT, windowMs: 60_000 } });
    clients = cluster.instances.map((i) => cluster.client(i));
  });
  after(() => cluster?.close());

  const on = (i: number) => clients[i % clients.length] as SignedClient;
  const tally = (answers: SignedResponse[]) => {
    const t = new Tally();
    for (const r of answers) t.add(r.status === 200 ? 'OK' : `${r.status} ${r.data?.code}`);
    return t.counts;
  };

  test('one request sent to every instance at once issues one coupon, answered to all', async () => {
    const { mchid, appid } = cluster.credentials;
    const stockId = await runningStock(on(0), mchid, 100);
    const body = sendBody(stockId, mchid, appid, 'same-request');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => on(i).post('/v3/marketing/favor/users/o-idem/coupons', body)),
    );
    assert.deepEqual(tally(answers), { OK: 30 });
    assert.equal(new Set(answers.map((a) => a.data.coupon_id)).size, 1);
    const rows = await cluster
      .db()
      .selectFrom('favor_coupons')
      .select('coupon_id')
      .where('stock_id', '=', stockId)
      .execute();
    assert.equal(rows.length, 1);
  });

  test('one 商家券 request sent to every instance at once issues one coupon, answered to all', async () => {
    const { mchid, appid } = cluster.credentials;
    const created = await on(0).post(
      '/v3/marketing/busifavor/stocks',
      busifavorStockBody(mchid, 'WECHATPAY_MODE', { send: { max_coupons: 10, max_coupons_per_user: 1 } }),
    );
    assert.equal(created.status, 200, created.text);
    const body = { stock_id: created.data.stock_id, openid: 'o-busi-idem', appid, out_request_no: 'busi-same' };
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => on(i).post('/v3/marketing/busifavor/coupons/send', body)),
    );
    assert.deepEqual(tally(answers), { OK: 30 });
    assert.equal(new Set(answers.map((a) => a.data.send_coupon_result.coupon_code)).size, 1);
  });

  test("a user's limit holds when the user's requests land on different instances", async () => {
    const { mchid, appid } = cluster.credentials;
    const stockId = await runningStock(on(1), mchid, 100, { max_coupons_per_user: 3 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        on(i).post('/v3/marketing/favor/users/o-limit/coupons', sendBody(stockId, mchid, appid, `limit${i}`)),
      ),
    );
    assert.deepEqual(tally(answers), { OK: 3, '403 REQUEST_BLOCKED': 27 });
    const rows = await cluster
      .db()
      .selectFrom('favor_coupons')
      .select('coupon_id')
      .where('stock_id', '=', stockId)
      .execute();
    assert.equal(rows.length, 3);
  });

  test(`a merchant's rate limit is shared: ${READ_LIMIT} reads a minute in total, not per instance`, async () => {
    const { mchid } = cluster.credentials;
    const stockId = cluster.credentials.favorStockId;
    // Stay clear of a minute boundary so that every call falls into one window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((ok) => setTimeout(ok, 60_500 - intoMinute));
    const answers = await Promise.all(
      Array.from({ length: READ_LIMIT * 3 }, (_, i) =>
        on(i).get(`/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${mchid}`),
      ),
    );
    assert.deepEqual(tally(answers), { OK: READ_LIMIT, '429 FREQUENCY_LIMIT_EXCEED': READ_LIMIT * 2 });
  });
});
