import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { ApiError, RequestError, Wechatpay } from '../src/index.js';

// request(route, options) against the project's platform, in-process: the same calls as the chain,
// with path parameters under `params` and the body (JSON or v2 fields) under `body`.

let dir: string;
let platform: Platform;
let wxpay: Wechatpay;
const openid = 'oUpF8uMuAJO_request';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sdk-request-'));
  platform = await createPlatform({ dataDir: dir, log: () => {} });
  const c = platform.credentials;
  wxpay = new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: readFileSync(c.privateKeyFile),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
    secret: c.apiV2Key,
    baseURL: c.baseURL,
    fetch: platform.fetch,
  });
});

after(async () => {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('request(route, options)', () => {
  test('sends a mapped route with its params, body and query, and reads the answer back', async () => {
    const c = platform.credentials;
    const body = {
      stock_id: c.favorStockId,
      out_request_no: `req${Date.now()}`,
      appid: c.appid,
      stock_creator_mchid: c.mchid,
    };
    const sent = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', { params: { openid }, body });
    assert.equal(sent.status, 200);
    assert.match(sent.data.coupon_id, /^\d+$/);
    const read = await wxpay.request('GET /v3/marketing/favor/users/{openid}/coupons/{coupon_id}', {
      params: { openid, coupon_id: sent.data.coupon_id },
      query: { appid: c.appid },
    });
    assert.equal(read.data.coupon_id, sent.data.coupon_id);
    const viaChain = await wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid, json: body });
    assert.equal(viaChain.data.coupon_id, sent.data.coupon_id, 'the same request as the chain, replayed');
  });

  test('a v2 route takes the fields as its body and signs them as XML', async () => {
    const c = platform.credentials;
    const res = await wxpay.request('POST /v2/mmpaymkttransfers/query_coupon_stock', {
      body: { coupon_stock_id: c.favorStockId, appid: c.appid },
    });
    assert.equal(res.data.return_code, 'SUCCESS');
    assert.equal(res.data.coupon_stock_id, c.favorStockId);
  });

  test('a route outside the map is sent as written and fails as the server answers', async () => {
    await assert.rejects(
      wxpay.request<{ n: number }>('GET /v3/marketing/not-served/{id}', { params: { id: 'x' } }),
      (err: unknown) => err instanceof ApiError && err.status === 404 && err.url.endsWith('/v3/marketing/not-served/x'),
    );
  });

  test('a route that is not "METHOD /path" or lacks a path parameter is refused before sending', async () => {
    const untyped = wxpay.request as (route: string, options?: object) => Promise<unknown>;
    for (const route of ['post /v3/marketing/favor/callbacks', 'POST v3/marketing/favor/callbacks', 'POST', '']) {
      await assert.rejects(
        untyped(route),
        (err: unknown) => err instanceof RequestError && /expected a route/.test(err.message),
      );
    }
    await assert.rejects(
      untyped('POST /v3/marketing/favor/users/{openid}/coupons', { body: {} }),
      (err: unknown) => err instanceof RequestError && /needs the option `openid`/.test(err.message),
    );
  });
});
