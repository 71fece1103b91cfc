import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { busifavorStockBody } from '../busifavor-helpers.js';
import type { SignedClient } from '../helpers/signed-fetch.js';
import { issuedByDay, stockAsRead } from '../helpers/stock-as-read.js';
import { testEngine } from '../helpers/test-database.js';
import { type Cluster, startCluster } from './helpers/cluster.js';
import { runPool, Tally, withRetry } from './helpers/pool.js';
import { pick } from './helpers/scale.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// Many concurrent sends against a daily budget far smaller than the demand: most transactions take
// the stock's budget and then roll back on the daily one, the pattern under which PostgreSQL raised
// "new multixact has more than one updating member" (one 500 in some 8,400 sends). Those conflicts
// are retried, so every answer is a coupon or NOT_ENOUGH, and exactly the daily budget is issued.

const INSTANCES = 3;
const CLIENTS = pick(48, 200);
const DAILY = pick(60, 1000);
const REQUESTS = pick(480, 8400);

describe(`sends racing for a daily budget on ${testEngine()}`, () => {
  let cluster: Cluster;
  let clients: SignedClient[];
  before(async () => {
    cluster = await startCluster(INSTANCES);
    clients = cluster.instances.map((i) => cluster.client(i));
  });
  after(() => cluster?.close());

  async function race(send: (client: SignedClient, i: number) => Promise<{ status: number; data: { code?: string } }>) {
    const answers = new Tally();
    await runPool(REQUESTS, CLIENTS, async (i) => {
      const client = clients[i % clients.length] as SignedClient;
      const res = await withRetry(
        () => send(client, i),
        () => {},
      );
      answers.add(res.status === 200 ? 'OK' : `${res.status} ${res.data?.code}`);
    });
    for (const instance of cluster.instances) {
      assert.equal(instance.child.exitCode, null, 'every instance is still running');
      assert.doesNotMatch(instance.stderr(), /unexpected error/);
    }
    return answers.counts;
  }

  test(`${REQUESTS} 代金券 sends from ${CLIENTS} clients issue exactly max_amount_by_day (${DAILY} coupons), no 5xx`, async () => {
    const { mchid, appid } = cluster.credentials;
    // 100 per coupon: the daily amount allows DAILY coupons, the stock's totals all of them.
    const stockId = await runningStock(clients[0] as SignedClient, mchid, REQUESTS, {
      max_amount_by_day: DAILY * 100,
    });
    const counts = await race((client, i) =>
      client.post(`/v3/marketing/favor/users/o-day-${i}/coupons`, sendBody(stockId, mchid, appid, `day${i}`)),
    );
    assert.deepEqual(counts, { OK: DAILY, '403 NOT_ENOUGH': REQUESTS - DAILY });
    const db = cluster.db();
    const coupons = await db.selectFrom('favor_coupons').select('coupon_id').where('stock_id', '=', stockId).execute();
    const stock = await stockAsRead(db, stockId);
    assert.equal(coupons.length, DAILY);
    assert.equal(Number(stock.distributed_coupons), DAILY);
    assert.equal(Number(stock.distributed_amount), DAILY * 100);
    assert.deepEqual(await issuedByDay(db, stockId), [DAILY * 100]);
  });

  test(`${REQUESTS} 商家券 sends from ${CLIENTS} clients issue exactly max_coupons_by_day (${DAILY}), no 5xx`, async () => {
    const { mchid, appid } = cluster.credentials;
    const created = await (clients[0] as SignedClient).post(
      '/v3/marketing/busifavor/stocks',
      busifavorStockBody(mchid, 'WECHATPAY_MODE', {
        send: { max_coupons: REQUESTS, max_coupons_by_day: DAILY, max_coupons_per_user: 1 },
      }),
    );
    assert.equal(created.status, 200, JSON.stringify(created.data));
    const stockId = created.data.stock_id as string;
    const counts = await race((client, i) =>
      client.post('/v3/marketing/busifavor/coupons/send', {
        stock_id: stockId,
        openid: `o-bday-${i}`,
        appid,
        out_request_no: `bday${i}`,
      }),
    );
    assert.equal(counts.OK, DAILY, JSON.stringify(counts));
    assert.equal(counts.OK + (counts['403 NOT_ENOUGH'] ?? 0), REQUESTS, JSON.stringify(counts));
    const db = cluster.db();
    const coupons = await db
      .selectFrom('busifavor_coupons')
      .select('coupon_code')
      .where('stock_id', '=', stockId)
      .execute();
    const stock = await db
      .selectFrom('busifavor_stocks')
      .select('distributed_coupons')
      .where('stock_id', '=', stockId)
      .executeTakeFirstOrThrow();
    const daily = await db
      .selectFrom('busifavor_daily_counts')
      .select('sent')
      .where('stock_id', '=', stockId)
      .execute();
    assert.equal(coupons.length, DAILY);
    assert.equal(Number(stock.distributed_coupons), DAILY);
    assert.deepEqual(
      daily.map((d) => Number(d.sent)),
      [DAILY],
    );
  });
});
