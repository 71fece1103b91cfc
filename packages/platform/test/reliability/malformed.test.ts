import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { loadPrivateKey } from '@wxcoupon/sdk/crypto';
import { busifavorStockBody } from '../busifavor-helpers.js';
import { testEngine } from '../helpers/test-database.js';
import { adminCall } from './helpers/admin.js';
import { type Cluster, startCluster } from './helpers/cluster.js';
import { corpus } from './helpers/corpus.js';
import { recordFigures } from './helpers/figures.js';
import { runPool, Tally } from './helpers/pool.js';
import { type Sender, sendRaw } from './helpers/raw-send.js';
import { pick } from './helpers/scale.js';
import { snapshot } from './helpers/snapshot.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// A generated corpus of malformed requests against a live instance (its own process, over HTTP):
// each gets the right error code, none gets a 5xx, the instance stays up, and nothing changes.

const COUNT = pick(800, 10_000);
const SEED = Number(process.env.WXCOUPON_CORPUS_SEED ?? 20_261_122);

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(1);
});
after(() => cluster?.close());

test(`${COUNT} malformed requests each get the right error, no 5xx and no change of state, on ${testEngine()}`, async () => {
  const instance = cluster.instances[0];
  assert.ok(instance);
  const creds = cluster.credentials;
  const client = cluster.client(instance);
  const stockId = await runningStock(client, creds.mchid, 100);
  const openid = 'o-corpus';
  const first = await client.post(
    `/v3/marketing/favor/users/${openid}/coupons`,
    sendBody(stockId, creds.mchid, creds.appid, 'corpus-ok'),
  );
  assert.equal(first.status, 200, first.text);
  const other = await fetch(`${instance.url}/admin/merchants`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${cluster.adminToken}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  const otherKey = loadPrivateKey(((await other.json()) as { private_key: string }).private_key);
  // A 商家券 stock that is also a 商品券 stock: a send that got past validation would issue a coupon.
  const busifavor = await client.post(
    '/v3/marketing/busifavor/stocks',
    busifavorStockBody(creds.mchid, 'WECHATPAY_MODE', { send: { max_coupons: 1000, max_coupons_per_user: 100 } }),
  );
  assert.equal(busifavor.status, 200, busifavor.text);
  const busifavorStockId = busifavor.data.stock_id as string;
  const product = await adminCall(
    instance,
    cluster.adminToken,
    'PUT',
    `/busifavor/stocks/${busifavorStockId}/product`,
    {
      product_id: 'p-corpus',
    },
  );
  assert.equal(product.status, 200, JSON.stringify(product.data));

  const sender: Sender = {
    baseURL: instance.url,
    mchid: creds.mchid,
    serial: creds.serial,
    privateKey: loadPrivateKey(readFileSync(creds.privateKeyFile)),
    platformSerial: creds.platformPublicKeyId,
  };
  const before = await snapshot(cluster.db());
  const cases = [
    ...corpus(
      { stockId, busifavorStockId, mchid: creds.mchid, appid: creds.appid, openid, otherKey, seed: SEED },
      COUNT,
    ),
  ];
  const byCode = new Tally();
  const byKind = new Tally();
  const wrong: string[] = [];
  let unanswered = 0;
  const started = Date.now();
  await runPool(cases.length, 16, async (i) => {
    const c = cases[i];
    if (!c) return;
    byKind.add(c.kind);
    try {
      const got = await sendRaw(sender, c);
      byCode.add(`${got.status} ${got.code}`);
      if (got.status !== c.expect.status || got.code !== c.expect.code) {
        wrong.push(
          `#${i} ${c.kind}: expected ${c.expect.status} ${c.expect.code}, got ${got.status} ${got.code} (body ${JSON.stringify(c.body.slice(0, 120))})`,
        );
      }
    } catch (err) {
      unanswered++;
      wrong.push(`#${i} ${c.kind}: no answer (${(err as Error).message})`);
    }
  });
  const after = await snapshot(cluster.db());
  const alive = await client.post(
    `/v3/marketing/favor/users/${openid}/coupons`,
    sendBody(stockId, creds.mchid, creds.appid, 'corpus-ok'),
  );
  const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
  recordFigures('malformed requests', {
    requests_tried: cases.length,
    seed: SEED,
    by_kind: byKind.counts,
    answers: byCode.counts,
    wrong_answers: wrong.length,
    unanswered,
    server_errors: Object.entries(byCode.counts)
      .filter(([k]) => k.startsWith('5'))
      .reduce((a, [, n]) => a + n, 0),
    state_changes: changed.length,
    // Here "lost" is anything the refused requests did to the platform: an answer that never came
    // (a crash) or a change of state.
    lost: unanswered + changed.length,
    seconds: Number(((Date.now() - started) / 1000).toFixed(2)),
  });
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} wrong answers`);
  assert.deepEqual(after, before, 'refused requests change nothing');
  assert.equal(alive.status, 200, 'the instance still answers, and replays the earlier coupon');
  assert.equal(alive.data.coupon_id, first.data.coupon_id);
  assert.equal(instance.child.exitCode, null, 'the instance did not crash');
  assert.doesNotMatch(instance.stderr(), /unexpected error/);
});
