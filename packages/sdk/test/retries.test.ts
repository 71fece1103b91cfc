import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { ApiError, NetworkError, TimeoutError, Wechatpay, type WechatpayConfig } from '../src/index.js';
import { IDEMPOTENCY_KEYS, idempotencyKey, retryAfterMs, retryDelay } from '../src/middleware/retry.js';

// Opt-in retries against the project's platform over a real socket, with its fault injection rules
// answering errors, closing connections and dropping answers after the commit.

let dir: string;
let platform: Platform;
let url: string;
let seq = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sdk-retries-'));
  platform = await createPlatform({
    dataDir: dir,
    log: () => {},
    rateLimits: { 'favor.coupons.send': 100_000, 'favor.callbacks.set': 100_000 },
  });
  ({ url } = await platform.listen({ host: '127.0.0.1', port: 0 }));
});

after(async () => {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(extra: Partial<WechatpayConfig> = {}): Wechatpay {
  const c = platform.credentials;
  return new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: readFileSync(c.privateKeyFile),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
    baseURL: `${url}/`,
    retries: { max: 3, baseDelay: 10, maxDelay: 200 },
    ...extra,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON
async function admin(method: string, path: string, body?: unknown): Promise<any> {
  const res = await platform.fetch(
    new Request(`http://platform.test/admin${path}`, {
      method,
      headers: { Authorization: `Bearer ${platform.adminToken}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return res.json();
}

const fault = (rule: Record<string, unknown>) => admin('POST', '/faults', rule) as Promise<{ id: string }>;
const fired = async (id: string) => ((await admin('GET', `/faults/${id}`)) as { fired: number }).fired;

function sendBody() {
  const c = platform.credentials;
  return { stock_id: c.favorStockId, out_request_no: `retry-${++seq}`, appid: c.appid, stock_creator_mchid: c.mchid };
}

async function couponsOf(wxpay: Wechatpay, openid: string): Promise<string[]> {
  const c = platform.credentials;
  const { data } = await wxpay.request('GET /v3/marketing/favor/users/{openid}/coupons', {
    params: { openid },
    query: { appid: c.appid, stock_id: c.favorStockId, creator_mchid: c.mchid, limit: 100 },
  });
  return (data.data ?? []).map((coupon) => coupon.coupon_id);
}

describe('retries against the platform', () => {
  test('SYSTEM_ERROR twice: the third attempt sends the same body with a fresh signature', async () => {
    const rule = await fault({ api: 'favor.coupons.send', action: 'error', error_code: 'SYSTEM_ERROR', times: 2 });
    const attempts: { authorization: string; body: string }[] = [];
    const wxpay = client({
      fetch: async (req) => {
        attempts.push({ authorization: req.headers.get('authorization') ?? '', body: await req.clone().text() });
        return fetch(req);
      },
    });
    const openid = 'o-retry-system';
    const sent = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
      params: { openid },
      body: sendBody(),
    });
    assert.match(sent.data.coupon_id, /^\d+$/);
    assert.equal(await fired(rule.id), 2);
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'the same body every time');
    assert.equal(new Set(attempts.map((a) => a.authorization)).size, 3, 'a new nonce and signature per attempt');
    assert.deepEqual(await couponsOf(wxpay, openid), [sent.data.coupon_id]);
    await admin('DELETE', '/faults');
  });

  test('an answer dropped after the commit: the retried send returns the coupon issued, and no other', async () => {
    const rule = await fault({
      api: 'favor.coupons.send',
      action: 'drop_after_commit',
      openid: 'o-retry-drop',
      times: 1,
    });
    const wxpay = client();
    try {
      const sent = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
        params: { openid: 'o-retry-drop' },
        body: sendBody(),
      });
      assert.equal(await fired(rule.id), 1, 'the first answer was dropped');
      assert.deepEqual(await couponsOf(wxpay, 'o-retry-drop'), [sent.data.coupon_id]);
    } finally {
      wxpay.close();
      await admin('DELETE', '/faults');
    }
  });

  test('a closed connection and a 429 are retried; the last failure is raised when attempts run out', async () => {
    const wxpay = client({ retries: { max: 2, baseDelay: 10 } });
    try {
      await fault({ api: 'favor.coupons.send', action: 'close', openid: 'o-retry-close', times: 1 });
      await fault({
        api: 'favor.coupons.send',
        action: 'error',
        error_code: 'FREQUENCY_LIMIT_EXCEED',
        openid: 'o-retry-close',
        times: 1,
      });
      const sent = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
        params: { openid: 'o-retry-close' },
        body: sendBody(),
      });
      assert.match(sent.data.coupon_id, /^\d+$/);

      const always = await fault({ api: 'favor.coupons.send', action: 'error', error_code: 'SYSTEM_ERROR', times: 10 });
      await assert.rejects(
        wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
          params: { openid: 'o-retry-out' },
          body: sendBody(),
        }),
        (err: unknown) => err instanceof ApiError && err.code === 'SYSTEM_ERROR',
      );
      assert.equal(await fired(always.id), 3, 'the first attempt and two retries');
    } finally {
      wxpay.close();
      await admin('DELETE', '/faults');
    }
  });

  test('a request without an idempotency key is never retried', async () => {
    const c = platform.credentials;
    const rule = await fault({ api: 'favor.callbacks.set', action: 'error', error_code: 'SYSTEM_ERROR', times: 1 });
    const wxpay = client();
    try {
      const set = () =>
        wxpay.request('POST /v3/marketing/favor/callbacks', {
          body: { mchid: c.mchid, notify_url: 'https://merchant.example/notify' },
        });
      await assert.rejects(set(), (err: unknown) => err instanceof ApiError && err.code === 'SYSTEM_ERROR');
      assert.equal(await fired(rule.id), 1);
      assert.equal((await set()).status, 200, 'the rule was spent by the one attempt');
    } finally {
      wxpay.close();
      await admin('DELETE', '/faults');
    }
  });

  test('an unknown stock is not retried, even with an idempotency key', async () => {
    let calls = 0;
    const wxpay = client({
      fetch: (req) => {
        calls++;
        return fetch(req);
      },
    });
    await assert.rejects(
      wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
        params: { openid: 'o-retry-bad' },
        body: { ...sendBody(), stock_id: 'not-a-stock' },
      }),
      (err: unknown) => err instanceof ApiError && err.code === 'RESOURCE_NOT_EXISTS',
    );
    assert.equal(calls, 1);
  });
});

describe('retry rules', () => {
  const policy = { max: 3, baseDelay: 100, maxDelay: 1000 };
  const apiError = (status: number, code: string, headers: Record<string, string> = {}) =>
    new ApiError({ status, code, message: code, headers, method: 'POST', url: 'https://x/v3/y' });

  test('backoff doubles per attempt, capped, with half of it jittered', () => {
    const net = new NetworkError('POST', 'https://x', new Error('reset'));
    assert.equal(
      retryDelay(net, 1, policy, () => 0),
      50,
    );
    assert.equal(
      retryDelay(net, 1, policy, () => 1),
      100,
    );
    assert.equal(
      retryDelay(net, 3, policy, () => 1),
      400,
    );
    assert.equal(
      retryDelay(net, 3, { ...policy, max: 5, maxDelay: 300 }, () => 1),
      300,
    );
    assert.equal(
      retryDelay(new TimeoutError('POST', 'https://x', 5), 2, policy, () => 0),
      100,
    );
    assert.equal(retryDelay(net, 4, policy), undefined, 'out of attempts');
  });

  test('Retry-After is honoured in seconds or as a date, and one beyond maxDelay ends the retries', () => {
    assert.equal(retryDelay(apiError(429, 'FREQUENCY_LIMIT_EXCEED', { 'retry-after': '1' }), 1, policy), 1000);
    assert.equal(retryDelay(apiError(503, 'SYSTEM_ERROR', { 'retry-after': '0' }), 1, policy), 0);
    assert.equal(retryDelay(apiError(429, 'FREQUENCY_LIMITED', { 'retry-after': '5' }), 1, policy), undefined);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 9_000), 1000);
    assert.equal(retryAfterMs('soon'), undefined);
  });

  test('only transient answers are retried', () => {
    assert.ok(retryDelay(apiError(500, 'SYSTEM_ERROR'), 1, policy) !== undefined);
    assert.ok(retryDelay(apiError(502, 'HTTP_502'), 1, policy) !== undefined);
    assert.ok(retryDelay(apiError(429, 'FREQUENCY_LIMITED'), 1, policy) !== undefined);
    assert.equal(retryDelay(apiError(400, 'PARAM_ERROR'), 1, policy), undefined);
    assert.equal(retryDelay(apiError(403, 'NOT_ENOUGH'), 1, policy), undefined);
    assert.equal(retryDelay(new Error('bug'), 1, policy), undefined);
  });

  test('every idempotency key is found in the body, the v2 fields or the query', () => {
    const base = { method: 'POST' as const, headers: {}, security: false };
    for (const key of IDEMPOTENCY_KEYS) {
      const body = Buffer.from(JSON.stringify({ [key]: 'n1' }));
      assert.equal(idempotencyKey({ ...base, url: new URL('https://x/v3/y'), protocol: 'v3', body }), key);
      assert.equal(idempotencyKey({ ...base, url: new URL('https://x/y'), protocol: 'v2', xml: { [key]: 'n1' } }), key);
    }
    const url = new URL('https://x/v3/codes/1?delete_request_no=d1');
    assert.equal(idempotencyKey({ ...base, method: 'DELETE', url, protocol: 'v3' }), 'delete_request_no');
    const plain = Buffer.from(JSON.stringify({ mchid: '1', notify_url: 'https://m' }));
    assert.equal(idempotencyKey({ ...base, url: new URL('https://x/v3/y'), protocol: 'v3', body: plain }), undefined);
    assert.equal(
      idempotencyKey({ ...base, url: new URL('https://x/v3/y'), protocol: 'v3', body: Buffer.from('[1]') }),
      undefined,
    );
  });

  test('retries are configured with whole numbers', () => {
    assert.throws(() => client({ retries: { max: -1 } }), /retries\.max/);
    assert.throws(() => client({ retries: { max: 2, baseDelay: Number.NaN } }), /retries\.baseDelay/);
  });
});
