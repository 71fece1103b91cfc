import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ApiError, NetworkError, V2Error, VerificationError, Wechatpay } from '@wxcoupon/sdk';
import { authorization, nonce, timestamp } from '@wxcoupon/sdk/crypto';
import { chosen } from '../src/features/faults/faults.service.js';
import { createPlatform, type Platform } from '../src/index.js';
import { sdkFor, stockBody } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// Fault injection as a client's tests use it: rules through the admin API that answer documented
// errors, delay, close the connection or commit and then drop the answer, counted exactly across
// concurrent requests and instances; seeded probabilities; v2 faults in XML; and the per-request
// header, off unless allowed and never a way around authentication.

const SEND = 'v3/marketing/favor/users/{openid}/coupons';

describe('fault injection', () => {
  let database: TestDatabase;
  let t: TestPlatform;
  let second: Platform;
  let url: string;
  let tlsUrl: string;
  let wxpay: Wechatpay;
  let mchid: string;
  let appid: string;
  let stockId: string;
  const logs: string[] = [];
  let seq = 0;

  before(async () => {
    database = await createTestDatabase();
    t = await startTestPlatform({
      ...(database.url ? { database: database.url } : {}),
      log: (line) => logs.push(line),
      rateLimits: { 'favor.coupons.send': 100_000, 'favor.callbacks.get': 100_000 },
    });
    ({ mchid, appid } = t.platform.credentials);
    ({ url, tlsUrl } = (await t.platform.listen({ host: '127.0.0.1', port: 0, tlsPort: 0 })) as {
      url: string;
      tlsUrl: string;
    });
    wxpay = sdkFor(t.platform.credentials, { baseURL: `${url}/` });
    // A second instance on the same database: rules and their counts are shared.
    second = await createPlatform({
      dataDir: t.dataDir,
      ...(database.url ? { database: database.url } : {}),
      log: () => {},
      rateLimits: { 'favor.coupons.send': 100_000 },
    });
    const { data } = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
      json: stockBody(mchid, { available_begin_time: new Date().toISOString() }, { max_coupons: 1000 }),
    });
    stockId = data.stock_id;
    await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
      stock_id: stockId,
      json: { stock_creator_mchid: mchid },
    });
    await wxpay.request('POST', 'v3/marketing/favor/callbacks', {
      json: { mchid, notify_url: 'https://merchant.example/notify' },
    });
  });
  after(async () => {
    wxpay.close();
    await second.close();
    await t.close();
    await database.drop();
  });

  const body = (over: Record<string, unknown> = {}) => ({
    stock_id: stockId,
    out_request_no: `fault-send-${++seq}`,
    appid,
    stock_creator_mchid: mchid,
    ...over,
  });
  const send = (openid: string, json: Record<string, unknown>, client = wxpay, headers?: Record<string, string>) =>
    client.request<{ coupon_id: string }>('POST', SEND, { openid, json, ...(headers ? { headers } : {}) });
  const addRule = async (rule: Record<string, unknown>) => {
    const res = await t.admin('POST', '/faults', rule);
    assert.equal(res.status, 200, JSON.stringify(res.data));
    return res.data as { id: string; fired: number };
  };
  const rule = async (id: string) => (await t.admin('GET', `/faults/${id}`)).data;
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to fail');
  };
  const couponsOf = async (openid: string) => {
    const { data } = await wxpay.request<{ data: { coupon_id: string }[] }>('GET', SEND, {
      openid,
      query: { appid, stock_id: stockId, creator_mchid: mchid, limit: 100 },
    });
    return data.data.map((c) => c.coupon_id);
  };

  test('the admin API creates, shows, lists and deletes rules, and refuses bad ones in WeChat format', async () => {
    for (const [bad, field] of [
      [{ api: 'favor.coupons.nope', action: 'close' }, '/api'],
      [{ api: 'favor.coupons.send', action: 'error', error_code: 'NOAUTH' }, '/error_code'],
      [{ api: 'favor.coupons.send', action: 'error', error_code: 'FREQUENCY_LIMITED' }, '/error_code'],
      [{ api: 'busifavor.coupons.send', action: 'error', error_code: 'FREQUENCY_LIMIT_EXCEED' }, '/error_code'],
      [{ api: 'v2coupon.send_coupon', action: 'error', error_code: 'SYSTEM_ERROR' }, '/error_code'],
      [{ action: 'error', error_code: 'SYSTEM_ERROR' }, '/api'],
      [{ api: 'favor.coupons.send', action: 'latency' }, '/latency_ms'],
      [{ api: 'favor.coupons.send', action: 'explode' }, '/action'],
      [{ api: 'favor.coupons.send', action: 'close', probability: 1.5 }, '/probability'],
      [{ api: 'favor.coupons.send', action: 'close', seed: 4 }, '/seed'],
      [{ api: 'favor.coupons.send', action: 'close', times: 0 }, '/times'],
      [{ api: 'favor.coupons.send', action: 'close', latency_ms: 5 }, '/latency_ms'],
    ] as const) {
      const res = await t.admin('POST', '/faults', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.data.code, 'PARAM_ERROR');
      assert.equal(res.data.detail.field, field, JSON.stringify(res.data));
    }
    const notJson = await t.platform.fetch(
      new Request('http://platform.test/admin/faults', {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.platform.adminToken}` },
        body: '{',
      }),
    );
    assert.equal(notJson.status, 400);

    const created = await addRule({
      api: 'favor.coupons.send',
      action: 'error',
      error_code: 'NOT_ENOUGH',
      openid: 'o-never',
      times: 3,
    });
    assert.match(created.id, /^fault-/);
    assert.equal((await rule(created.id)).error_code, 'NOT_ENOUGH');
    const listed = await t.admin('GET', '/faults');
    assert.ok(listed.data.data.some((r: { id: string }) => r.id === created.id));
    assert.ok(listed.data.apis.includes('busifavor.product-coupons.send'));
    assert.ok(listed.data.apis.includes('v2coupon.send_coupon'));
    assert.equal((await t.admin('DELETE', `/faults/${created.id}`)).status, 200);
    assert.equal((await t.admin('GET', `/faults/${created.id}`)).data.code, 'RESOURCE_NOT_EXISTS');
    assert.equal((await t.admin('DELETE', `/faults/${created.id}`)).status, 404);
    await addRule({ api: 'favor.coupons.send', action: 'close', openid: 'o-never' });
    assert.equal((await t.admin('DELETE', '/faults')).data.deleted, 1);
    assert.deepEqual((await t.admin('GET', '/faults')).data.data, []);
  });

  test('an error rule answers the documented error through the SDK, once, and is logged and counted', async () => {
    const r = await addRule({ api: 'favor.coupons.send', action: 'error', error_code: 'SYSTEM_ERROR', times: 1 });
    const json = body();
    const err = await failure(send('o-error', json));
    assert.ok(err instanceof ApiError && !(err instanceof VerificationError), String(err));
    assert.equal(err.status, 500);
    assert.equal(err.code, 'SYSTEM_ERROR');
    assert.deepEqual(await couponsOf('o-error'), [], 'the faulted send issued nothing');
    const retried = await send('o-error', json);
    assert.match(retried.data.coupon_id, /^\d+$/);
    assert.equal((await rule(r.id)).fired, 1);
    assert.ok(logs.some((l) => l.includes(`fault SYSTEM_ERROR on favor.coupons.send (rule ${r.id}`)));

    await addRule({ api: 'favor.coupons.send', action: 'error', error_code: 'FREQUENCY_LIMIT_EXCEED', times: 1 });
    const limited = await failure(send('o-error', body()));
    assert.ok(limited instanceof ApiError);
    assert.equal(limited.status, 429);
    assert.equal(limited.code, 'FREQUENCY_LIMIT_EXCEED');
    await t.admin('DELETE', '/faults');
  });

  test('rules match on merchant, stock, openid and out_request_no; a 商家券 API answers its own codes', async () => {
    const seen = async (json: Record<string, unknown>, openid = 'o-match') =>
      (await failure(send(openid, json)).catch(() => undefined)) as ApiError | undefined;
    const ok = async (json: Record<string, unknown>, openid = 'o-match') =>
      assert.match((await send(openid, json)).data.coupon_id, /^\d+$/);
    const base = { api: 'favor.coupons.send', action: 'error', error_code: 'REQUEST_BLOCKED' };

    const byOpenid = await addRule({ ...base, openid: 'o-target' });
    await ok(body());
    assert.equal((await seen(body(), 'o-target'))?.code, 'REQUEST_BLOCKED');
    await t.admin('DELETE', `/faults/${byOpenid.id}`);

    const byNo = await addRule({ ...base, out_request_no: 'fault-exact-no' });
    await ok(body());
    assert.equal((await seen(body({ out_request_no: 'fault-exact-no' })))?.code, 'REQUEST_BLOCKED');
    await t.admin('DELETE', `/faults/${byNo.id}`);

    const otherStock = await addRule({ ...base, stock_id: '999999999' });
    await ok(body());
    assert.equal((await rule(otherStock.id)).fired, 0);
    await t.admin('DELETE', `/faults/${otherStock.id}`);
    const byStock = await addRule({ ...base, stock_id: stockId, times: 1 });
    assert.equal((await seen(body()))?.code, 'REQUEST_BLOCKED');
    assert.equal((await rule(byStock.id)).fired, 1);

    const otherMerchant = await addRule({ ...base, mchid: '1999999999' });
    await ok(body());
    await t.admin('DELETE', `/faults/${otherMerchant.id}`);
    await addRule({ ...base, mchid, times: 1 });
    assert.equal((await seen(body()))?.code, 'REQUEST_BLOCKED');

    await addRule({ api: 'busifavor.callbacks.get', action: 'error', error_code: 'FREQUENCY_LIMITED', times: 1 });
    const busifavor = await failure(wxpay.request('GET', 'v3/marketing/busifavor/callbacks', { query: { mchid } }));
    assert.ok(busifavor instanceof ApiError);
    assert.equal(busifavor.status, 429);
    assert.equal(busifavor.code, 'FREQUENCY_LIMITED');
    await t.admin('DELETE', '/faults');
  });

  test('latency delays the answer, which still verifies', async () => {
    await addRule({ api: 'favor.coupons.send', action: 'latency', latency_ms: 400, times: 1 });
    const started = performance.now();
    const res = await send('o-latency', body());
    assert.ok(performance.now() - started >= 380, 'the answer came after the added latency');
    assert.match(res.data.coupon_id, /^\d+$/);
    await t.admin('DELETE', '/faults');
  });

  test('close ends the connection before the send runs: nothing is issued', async () => {
    await addRule({ api: 'favor.coupons.send', action: 'close', openid: 'o-close', times: 1 });
    const json = body();
    const err = await failure(send('o-close', json));
    assert.ok(err instanceof NetworkError, String(err));
    assert.deepEqual(await couponsOf('o-close'), []);
    const retried = await send('o-close', json);
    assert.deepEqual(await couponsOf('o-close'), [retried.data.coupon_id]);
  });

  test('drop-after-commit issues the coupon and drops the answer; the retry returns that coupon', async () => {
    const r = await addRule({ api: 'favor.coupons.send', action: 'drop_after_commit', openid: 'o-drop', times: 1 });
    const json = body();
    const err = await failure(send('o-drop', json));
    assert.ok(err instanceof NetworkError, String(err));
    const issued = await couponsOf('o-drop');
    assert.equal(issued.length, 1, 'the send was committed although its answer never arrived');
    const retried = await send('o-drop', json);
    assert.equal(retried.data.coupon_id, issued[0]);
    assert.deepEqual(await couponsOf('o-drop'), issued, 'the retry issued nothing new');
    assert.equal((await rule(r.id)).fired, 1);
    assert.deepEqual(
      logs.filter((l) => l.includes('unexpected')),
      [],
    );
  });

  test('times N is exact under concurrency, across two instances on one database', async () => {
    const r = await addRule({ api: 'favor.coupons.send', action: 'error', error_code: 'SYSTEM_ERROR', times: 5 });
    const other = sdkFor(t.platform.credentials, { fetch: second.fetch });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(`o-times-${i}`, body(), i % 2 === 0 ? wxpay : other).then(
          () => 'sent',
          (err: unknown) => (err instanceof ApiError ? err.code : String(err)),
        ),
      ),
    );
    assert.equal(outcomes.filter((o) => o === 'SYSTEM_ERROR').length, 5, outcomes.join(' '));
    assert.equal(outcomes.filter((o) => o === 'sent').length, 45);
    assert.equal((await rule(r.id)).fired, 5);
    await t.admin('DELETE', '/faults');
  });

  test('a probability with a seed gives the same sequence every time', async () => {
    const run = async () => {
      await addRule({
        api: 'favor.callbacks.get',
        action: 'error',
        error_code: 'SYSTEM_ERROR',
        probability: 0.5,
        seed: 42,
      });
      const pattern: boolean[] = [];
      for (let i = 0; i < 24; i++) {
        pattern.push(
          await wxpay.request('GET', 'v3/marketing/favor/callbacks', { query: { mchid } }).then(
            () => false,
            () => true,
          ),
        );
      }
      await t.admin('DELETE', '/faults');
      return pattern;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.deepEqual(
      first,
      Array.from({ length: 24 }, (_, i) => chosen(42, i + 1, 0.5)),
    );
    assert.ok(first.includes(true) && first.includes(false), 'both outcomes occur');
  });

  test('a v2 fault answers in v2 XML, signed, as the SDK v2 client verifies', async () => {
    const creds = t.platform.credentials;
    const v2 = new Wechatpay({
      mchid,
      serial: creds.serial,
      privateKey: readFileSync(creds.privateKeyFile),
      certs: { [creds.platformPublicKeyId]: readFileSync(creds.platformPublicKeyFile) },
      baseURL: tlsUrl,
      secret: creds.apiV2Key,
      merchant: { cert: readFileSync(creds.certificateFile), key: readFileSync(creds.privateKeyFile) },
      ca: readFileSync(creds.caCertificateFile),
    });
    const sendV2 = (openid: string, tradeNo: string) =>
      v2.request<Record<string, string>>('POST', 'v2/mmpaymkttransfers/send_coupon', {
        xml: {
          coupon_stock_id: stockId,
          openid_count: 1,
          partner_trade_no: tradeNo,
          openid,
          appid,
          mch_id: mchid,
        },
        security: true,
      });
    try {
      await addRule({
        api: 'v2coupon.send_coupon',
        action: 'error',
        error_code: 'STOCK_AMOUNT_NOT_ENOUGH',
        times: 1,
      });
      const business = await failure(sendV2('o-v2', `v2fault${seq++}`));
      assert.ok(business instanceof V2Error, String(business));
      assert.equal(business.returnCode, 'SUCCESS');
      assert.equal(business.resultCode, 'FAIL');
      assert.equal(business.errCode, 'STOCK_AMOUNT_NOT_ENOUGH');
      assert.ok(business.data['sign'], 'the business failure is signed (and the SDK verified it)');

      await addRule({ api: 'v2coupon.send_coupon', action: 'error', error_code: 'CA_ERROR', times: 1 });
      const transport = await failure(sendV2('o-v2', `v2fault${seq++}`));
      assert.ok(transport instanceof V2Error);
      assert.equal(transport.returnCode, 'FAIL');
      assert.equal(transport.data['err_code'], 'CA_ERROR');

      await addRule({ api: 'v2coupon.send_coupon', action: 'drop_after_commit', openid: 'o-v2-drop', times: 1 });
      const tradeNo = `v2fault${seq++}`;
      assert.ok((await failure(sendV2('o-v2-drop', tradeNo))) instanceof NetworkError);
      const retried = await sendV2('o-v2-drop', tradeNo);
      assert.deepEqual(await couponsOf('o-v2-drop'), [retried.data['coupon_id']]);
    } finally {
      v2.close();
      await t.admin('DELETE', '/faults');
    }
  });

  test('the Wxcoupon-Fault header is ignored unless the platform allows it', async () => {
    const res = await send('o-header', body(), wxpay, { 'Wxcoupon-Fault': 'SYSTEM_ERROR' });
    assert.match(res.data.coupon_id, /^\d+$/);
  });
});

describe('the Wxcoupon-Fault header, allowed', () => {
  let t: TestPlatform;
  let wxpay: Wechatpay;
  const logs: string[] = [];

  before(async () => {
    t = await startTestPlatform({ allowFaultHeaders: true, log: (line) => logs.push(line) });
    wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
    await wxpay.request('POST', 'v3/marketing/favor/callbacks', {
      json: { mchid: t.platform.credentials.mchid, notify_url: 'https://merchant.example/notify' },
    });
  });
  after(async () => {
    wxpay.close();
    await t.close();
  });

  const callbacks = (fault?: string) =>
    wxpay.request('GET', 'v3/marketing/favor/callbacks', {
      query: { mchid: t.platform.credentials.mchid },
      ...(fault ? { headers: { 'Wxcoupon-Fault': fault } } : {}),
    });

  test('names a fault for that one request', async () => {
    await assert.rejects(callbacks('SYSTEM_ERROR'), (err: unknown) => err instanceof ApiError && err.status === 500);
    await assert.rejects(
      callbacks('NOT_ENOUGH'),
      (err: unknown) => err instanceof ApiError && err.status === 403 && err.code === 'NOT_ENOUGH',
    );
    assert.equal((await callbacks()).status, 200);
    const started = performance.now();
    assert.equal((await callbacks('latency=300')).status, 200);
    assert.ok(performance.now() - started >= 280);
    await assert.rejects(callbacks('drop-after-commit'), (err: unknown) => err instanceof NetworkError);
    assert.ok(logs.some((l) => l.includes('fault SYSTEM_ERROR on favor.callbacks.get (Wxcoupon-Fault header')));
  });

  test('an unknown value is refused rather than ignored', async () => {
    await assert.rejects(
      callbacks('FREQUENCY_LIMITED'),
      (err: unknown) => err instanceof ApiError && err.status === 400 && /Wxcoupon-Fault/.test(err.message),
    );
  });

  test('an unsigned or forged request carrying the header is still 401 SIGN_ERROR', async () => {
    const c = t.platform.credentials;
    const path = `/v3/marketing/favor/callbacks?mchid=${c.mchid}`;
    const forged = authorization({
      mchid: c.mchid,
      nonce_str: nonce(),
      timestamp: timestamp(),
      serial_no: c.serial,
      signature: Buffer.alloc(256, 1).toString('base64'),
    });
    for (const auth of [undefined, forged]) {
      for (const fault of ['SYSTEM_ERROR', 'latency=1', 'close', 'drop-after-commit']) {
        const res = await t.platform.fetch(
          new Request(`http://platform.test${path}`, {
            headers: { 'Wxcoupon-Fault': fault, Accept: 'application/json', ...(auth ? { Authorization: auth } : {}) },
          }),
        );
        assert.equal(res.status, 401, `${fault} ${auth ? 'forged' : 'unsigned'}`);
        assert.equal(((await res.json()) as { code: string }).code, 'SIGN_ERROR');
      }
    }
  });
});
