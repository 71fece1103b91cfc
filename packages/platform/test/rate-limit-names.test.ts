import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createPlatform, PlatformStartError, RATE_LIMIT_APIS } from '../src/index.js';
import { busifavorStockBody } from './busifavor-helpers.js';
import { startTestPlatform } from './helpers/platform.js';

// Every API's limit can be named in `rateLimits`; a name no API has is refused at start. 商家券 sends
// (B9, B10) and use (B12) are limited by default and answer 429 FREQUENCY_LIMITED.

const HOUR = 3_600_000;

describe('rate limit names', () => {
  test('a name no API has is refused before anything starts, listing the names', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-limits-'));
    try {
      await assert.rejects(
        createPlatform({ dataDir, log: () => {}, rateLimits: { 'favor.coupon.send': 5 } }),
        (err: unknown) =>
          err instanceof PlatformStartError &&
          /favor\.coupon\.send/.test(err.message) &&
          /busifavor\.product-coupons\.send/.test(err.message),
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    for (const name of ['busifavor.product-coupons.send', 'v2coupon.send_coupon', 'v2coupon.querycouponsinfo'])
      assert.ok(RATE_LIMIT_APIS.includes(name), name);
  });

  test('商家券 send, product send and use are limited by default', async () => {
    const t = await startTestPlatform();
    try {
      for (const api of ['busifavor.coupons.send', 'busifavor.product-coupons.send', 'busifavor.coupons.use'])
        assert.deepEqual(t.platform.context.rateLimits[api], { limit: 500, windowMs: 1000 }, api);
    } finally {
      await t.close();
    }
  });

  test('B9, B10 and B12 past their limit are 429 FREQUENCY_LIMITED', async () => {
    const one = { limit: 1, windowMs: HOUR };
    const t = await startTestPlatform({
      rateLimits: {
        'busifavor.coupons.send': one,
        'busifavor.product-coupons.send': one,
        'busifavor.coupons.use': one,
        'v2coupon.query_coupon_stock': 1,
      },
    });
    try {
      const { mchid, appid } = t.platform.credentials;
      const stock = await t.client.post('/v3/marketing/busifavor/stocks', busifavorStockBody(mchid, 'WECHATPAY_MODE'));
      await t.admin('PUT', `/busifavor/stocks/${stock.data.stock_id}/product`, { product_id: 'sku' });
      const send = (path: string, n: number, extra = {}) =>
        t.client.post(path, {
          stock_id: stock.data.stock_id,
          openid: 'o-limit',
          appid,
          out_request_no: `l${n}`,
          ...extra,
        });
      const first = await send('/v3/marketing/busifavor/coupons/send', 1);
      assert.equal(first.status, 200, first.text);
      const limited = [
        await send('/v3/marketing/busifavor/coupons/send', 2),
        await send('/v3/marketing/busifavor/product-coupons/send', 3, { coupon_type: 'NORMAL' }),
        await send('/v3/marketing/busifavor/product-coupons/send', 4, { coupon_type: 'NORMAL' }),
      ];
      assert.equal(limited[1]?.status, 200, limited[1]?.text);
      for (const res of [limited[0], limited[2]]) {
        assert.equal(res?.status, 429, res?.text);
        assert.equal(res?.data.code, 'FREQUENCY_LIMITED');
      }
      const use = (n: number) =>
        t.client.post('/v3/marketing/busifavor/coupons/use', {
          coupon_code: first.data.send_coupon_result.coupon_code,
          stock_id: stock.data.stock_id,
          appid,
          use_time: new Date().toISOString(),
          use_request_no: `u${n}`,
        });
      assert.notEqual((await use(1)).status, 429);
      const again = await use(2);
      assert.equal(again.status, 429, again.text);
      assert.equal(again.data.code, 'FREQUENCY_LIMITED');
    } finally {
      await t.close();
    }
  });
});
