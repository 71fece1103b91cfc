import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorization, loadPrivateKey, nonce, requestMessage, rsaSign } from '@wxcoupon/sdk/crypto';
import type { SignedClient } from '../helpers/signed-fetch.js';
import { testEngine } from '../helpers/test-database.js';
import { adminCall } from './helpers/admin.js';
import { type Cluster, type Instance, startCluster } from './helpers/cluster.js';
import { snapshot } from './helpers/snapshot.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// Security across two instances: another merchant's stock is out of reach until the admin API
// authorizes it (on either instance), the admin API needs its token, and old signatures are refused.

describe(`security on ${testEngine()}`, () => {
  let cluster: Cluster;
  let one: Instance;
  let two: Instance;
  let a: SignedClient;
  let stockId: string;
  let b: { mchid: string; client: SignedClient };

  before(async () => {
    cluster = await startCluster(2);
    [one, two] = cluster.instances as [Instance, Instance];
    a = cluster.client(one);
    stockId = await runningStock(a, cluster.credentials.mchid, 50, { max_coupons_per_user: 5 });
    const created = await adminCall(one, cluster.adminToken, 'POST', '/merchants', {});
    assert.equal(created.status, 200);
    const bound = await adminCall(one, cluster.adminToken, 'POST', `/merchants/${created.data.mchid}/appids`, {
      appid: cluster.credentials.appid,
    });
    assert.equal(bound.status, 200);
    b = {
      mchid: created.data.mchid,
      client: cluster.client(two).with({
        mchid: created.data.mchid,
        serial: created.data.serial,
        privateKey: loadPrivateKey(created.data.private_key),
      }),
    };
  });
  after(() => cluster?.close());

  test("a merchant cannot send from, or read, another merchant's stock without authorization", async () => {
    const creds = cluster.credentials;
    const state = await snapshot(cluster.db());
    const send = await b.client.post(
      '/v3/marketing/favor/users/o-sec-1/coupons',
      sendBody(stockId, creds.mchid, creds.appid, 'sec1'),
    );
    assert.equal(send.status, 403);
    assert.equal(send.data.code, 'REQUEST_BLOCKED');
    const read = await b.client.get(`/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${creds.mchid}`);
    assert.equal(read.status, 403);
    assert.equal(read.data.code, 'REQUEST_BLOCKED');
    const lifecycle = await b.client.post(`/v3/marketing/favor/stocks/${stockId}/pause`, {
      stock_creator_mchid: creds.mchid,
    });
    assert.ok(lifecycle.status === 403 || lifecycle.status === 404, lifecycle.text);
    const own = await a.post(
      '/v3/marketing/favor/users/o-sec-1/coupons',
      sendBody(stockId, creds.mchid, creds.appid, 'sec-own'),
    );
    assert.equal(own.status, 200);
    const peek = await b.client.get(
      `/v3/marketing/favor/users/o-sec-1/coupons/${own.data.coupon_id}?appid=${creds.appid}`,
    );
    assert.equal(peek.status, 404);
    assert.equal(peek.data.code, 'RESOURCE_NOT_EXISTS');
    const after = await snapshot(cluster.db());
    // Only the creator's own send changed anything: one coupon, counted once, for one new user.
    assert.deepEqual(after, {
      ...state,
      users: (state.users ?? 0) + 1,
      favor_user_counts: (state.favor_user_counts ?? 0) + 1,
      favor_coupons: (state.favor_coupons ?? 0) + 1,
      'favor_stocks.distributed_coupons': (state['favor_stocks.distributed_coupons'] ?? 0) + 1,
      'favor_stocks.distributed_amount': (state['favor_stocks.distributed_amount'] ?? 0) + 100,
    });
  });

  test('an authorization given through one instance lets the merchant send through the other', async () => {
    const creds = cluster.credentials;
    const granted = await adminCall(one, cluster.adminToken, 'POST', `/favor/stocks/${stockId}/senders`, {
      mchid: b.mchid,
    });
    assert.equal(granted.status, 200, JSON.stringify(granted.data));
    const send = await b.client.post(
      '/v3/marketing/favor/users/o-sec-2/coupons',
      sendBody(stockId, creds.mchid, creds.appid, 'sec2'),
    );
    assert.equal(send.status, 200, send.text);
    const row = await cluster
      .db()
      .selectFrom('favor_coupons')
      .select('sender_mchid')
      .where('coupon_id', '=', send.data.coupon_id)
      .executeTakeFirstOrThrow();
    assert.equal(row.sender_mchid, b.mchid);
  });

  test('the admin API refuses requests without its token, with a wrong one, or with another scheme', async () => {
    const state = await snapshot(cluster.db());
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/merchants'],
      ['POST', '/merchants', {}],
      ['POST', `/favor/stocks/${stockId}/senders`, { mchid: '1900000001' }],
      ['POST', '/users', { appid: cluster.credentials.appid, openid: 'o-admin', abnormal: true }],
      ['POST', '/reset', {}],
    ];
    for (const token of [
      undefined,
      '',
      'wrong-token-wrong-token',
      `${cluster.adminToken}x`,
      cluster.adminToken.slice(1),
    ]) {
      for (const instance of [one, two]) {
        for (const [method, path, body] of calls) {
          const res = await adminCall(instance, token, method, path, body);
          assert.equal(res.status, 401, `${method} ${path} with ${JSON.stringify(token)}`);
          assert.equal(res.data.code, 'ADMIN_UNAUTHORIZED');
        }
      }
    }
    const basic = await fetch(`${one.url}/admin/merchants`, {
      headers: { Authorization: `Basic ${cluster.adminToken}` },
    });
    assert.equal(basic.status, 401);
    await basic.body?.cancel();
    assert.deepEqual(await snapshot(cluster.db()), state);
  });

  test('a captured request replays idempotently within 300 s, and is refused once older', async () => {
    const creds = cluster.credentials;
    const o = a.options;
    const path = '/v3/marketing/favor/users/o-sec-3/coupons';
    const signedAt = (ageSeconds: number, outRequestNo: string) => {
      const body = JSON.stringify(sendBody(stockId, creds.mchid, creds.appid, outRequestNo));
      const ts = String(Math.floor(Date.now() / 1000) - ageSeconds);
      const n = nonce();
      const signature = rsaSign(requestMessage('POST', path, ts, n, body), o.privateKey);
      const auth = authorization({ mchid: o.mchid, nonce_str: n, timestamp: ts, serial_no: o.serial, signature });
      return { body, auth };
    };
    const fresh = signedAt(0, 'sec-replay');
    const first = await a.request('POST', path, fresh.body, { authorization: fresh.auth });
    assert.equal(first.status, 200, first.text);
    const again = await cluster.client(two).request('POST', path, fresh.body, { authorization: fresh.auth });
    assert.equal(again.status, 200);
    assert.equal(again.data.coupon_id, first.data.coupon_id, 'a replay issues nothing new');

    const nearly = signedAt(290, 'sec-old-290');
    assert.equal((await a.request('POST', path, nearly.body, { authorization: nearly.auth })).status, 200);
    const state = await snapshot(cluster.db());
    for (const age of [301, 600, 3600, 86_400]) {
      for (const client of [a, cluster.client(two)]) {
        const old = signedAt(age, `sec-old-${age}`);
        const res = await client.request('POST', path, old.body, { authorization: old.auth });
        assert.equal(res.status, 401, `${age} s old`);
        assert.equal(res.data.code, 'SIGN_ERROR');
      }
    }
    assert.deepEqual(await snapshot(cluster.db()), state);
  });
});
