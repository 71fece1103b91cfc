import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { sdkFor, stockBody } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { issuedCounts } from './helpers/stock-as-read.js';

// Budgets and idempotency under concurrent sends, over a real socket so requests truly interleave.

describe('concurrent sends', () => {
  let t: TestPlatform;
  let wxpay: Wechatpay;
  let mchid: string;
  let appid: string;

  before(async () => {
    t = await startTestPlatform({ rateLimits: { 'favor.coupons.send': 100_000 } });
    const { url } = await t.platform.listen({ host: '127.0.0.1', port: 0 });
    wxpay = sdkFor(t.platform.credentials, { baseURL: `${url}/` });
    mchid = t.platform.credentials.mchid;
    appid = t.platform.credentials.appid;
  });
  after(async () => {
    wxpay.close();
    await t.close();
  });

  async function runningStock(rule: Record<string, unknown>): Promise<string> {
    const { data } = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
      json: stockBody(mchid, { available_begin_time: new Date().toISOString() }, rule),
    });
    await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
      stock_id: data.stock_id,
      json: { stock_creator_mchid: mchid },
    });
    return data.stock_id;
  }

  async function counts(stockId: string) {
    const { claimed: _, ...counts } = await issuedCounts(t.platform.context.db, stockId);
    return counts;
  }

  test('200 parallel sends against max_coupons 50 give exactly 50 coupons and NOT_ENOUGH for the rest', async () => {
    const stock = await runningStock({ max_coupons: 50, max_coupons_per_user: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        wxpay.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
          openid: `o-race-${i}`,
          json: { stock_id: stock, out_request_no: `race-${i}`, appid, stock_creator_mchid: mchid },
        }),
      ),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 50);
    assert.equal(new Set(ok.map((r) => r.data.coupon_id)).size, 50);
    assert.equal(failed.length, 150);
    for (const f of failed) assert.equal(f.reason.code, 'NOT_ENOUGH', String(f.reason));
    assert.deepEqual(await counts(stock), { rows: 50, distributed: 50, amount: 5000 });
  });

  test('30 parallel sends with one out_request_no give one coupon', async () => {
    const stock = await runningStock({ max_coupons: 100, max_coupons_per_user: 50 });
    const json = { stock_id: stock, out_request_no: 'same-request', appid, stock_creator_mchid: mchid };
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        wxpay.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
          openid: 'o-retry',
          json,
        }),
      ),
    );
    assert.equal(new Set(results.map((r) => r.data.coupon_id)).size, 1);
    assert.deepEqual(await counts(stock), { rows: 1, distributed: 1, amount: 100 });
  });

  test('parallel sends to one user stop exactly at max_coupons_per_user', async () => {
    const stock = await runningStock({ max_coupons: 100, max_coupons_per_user: 3 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        wxpay.request('POST', 'v3/marketing/favor/users/{openid}/coupons', {
          openid: 'o-greedy',
          json: { stock_id: stock, out_request_no: `greedy-${i}`, appid, stock_creator_mchid: mchid },
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.code, 'REQUEST_BLOCKED');
    assert.equal((await counts(stock)).rows, 3);
  });
});
