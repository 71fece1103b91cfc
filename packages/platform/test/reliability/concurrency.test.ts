import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stockAsRead } from '../helpers/stock-as-read.js';
import { testEngine } from '../helpers/test-database.js';
import { type Cluster, startCluster } from './helpers/cluster.js';
import { recordFigures } from './helpers/figures.js';
import { runPool, Tally, withRetry } from './helpers/pool.js';
import { pick } from './helpers/scale.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// Three instances on one database, many concurrent clients racing for one stock: the budget is
// decided in the database, so exactly `stock` coupons exist and every other answer is NOT_ENOUGH.

const INSTANCES = 3;
const CLIENTS = pick(40, 200);
const STOCK = pick(100, 1000);
const REQUESTS = Math.round(STOCK * 1.3);

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(INSTANCES);
});
after(() => cluster?.close());

test(`${INSTANCES} instances and ${CLIENTS} concurrent clients issue exactly a stock of ${STOCK} on ${testEngine()}`, async () => {
  const { mchid, appid } = cluster.credentials;
  const clients = cluster.instances.map((i) => cluster.client(i));
  const stockId = await runningStock(clients[0] as (typeof clients)[0], mchid, STOCK);
  const answers = new Tally();
  const couponIds = new Set<string>();
  let connectionRetries = 0;
  const started = Date.now();
  await runPool(REQUESTS, CLIENTS, async (i) => {
    const client = clients[i % clients.length] as (typeof clients)[0];
    const res = await withRetry(
      () => client.post(`/v3/marketing/favor/users/o-race-${i}/coupons`, sendBody(stockId, mchid, appid, `race${i}`)),
      () => connectionRetries++,
    );
    answers.add(res.status === 200 ? 'OK' : `${res.status} ${res.data?.code}`);
    if (res.status === 200) couponIds.add(res.data.coupon_id);
  });
  const seconds = (Date.now() - started) / 1000;

  const db = cluster.db();
  const stored = new Set(
    (await db.selectFrom('favor_coupons').select('coupon_id').where('stock_id', '=', stockId).execute()).map(
      (r) => r.coupon_id,
    ),
  );
  const stock = await stockAsRead(db, stockId);
  const lost = [...couponIds].filter((id) => !stored.has(id)).length;
  recordFigures('concurrency', {
    instances: INSTANCES,
    clients: CLIENTS,
    stock: STOCK,
    requests_tried: REQUESTS,
    connection_retries: connectionRetries,
    answers: answers.counts,
    coupons_in_database: stored.size,
    lost,
    seconds: Number(seconds.toFixed(2)),
  });
  assert.deepEqual(answers.counts, { OK: STOCK, '403 NOT_ENOUGH': REQUESTS - STOCK });
  assert.equal(couponIds.size, STOCK, 'every success answered a distinct coupon');
  assert.equal(lost, 0, 'every answered coupon is in the database');
  assert.equal(stored.size, STOCK);
  assert.equal(Number(stock.distributed_coupons), STOCK);
  for (const i of cluster.instances) {
    assert.equal(i.child.exitCode, null, 'every instance is still running');
    assert.doesNotMatch(i.stderr(), /unexpected error/);
  }
});
