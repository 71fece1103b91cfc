import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type BusifavorHarness, busifavorStockBody, startBusifavor } from './busifavor-helpers.js';

// Every 商家券 write with each field removed or replaced by a value of the wrong shape: the answer is
// always a 4xx in WeChat's error format (or a success, when the replacement is still valid), never a 5xx.

let h: BusifavorHarness;
before(async () => {
  h = await startBusifavor({ rateLimits: { 'busifavor.stocks.create': 100_000, 'busifavor.coupons.use': 100_000 } });
});
after(() => h.close());

const WRONG: unknown[] = [null, 0, -1, 1.5, 'x', '', 'x'.repeat(300), [], {}, true, '😀'];

function variants(base: Record<string, unknown>): unknown[] {
  const out: unknown[] = [[], 'not an object', null];
  for (const key of Object.keys(base)) {
    const { [key]: _removed, ...rest } = base;
    out.push(rest);
    for (const v of WRONG) out.push({ ...base, [key]: v });
  }
  return out;
}

test('malformed 商家券 requests are answered 4xx in WeChat format, never 5xx', async () => {
  const stockId = await h.createStock('MERCHANT_UPLOAD');
  const apiStock = await h.createStock('MERCHANT_API');
  const sends = [
    ['POST', '/v3/marketing/busifavor/stocks', busifavorStockBody(h.mchid, 'WECHATPAY_MODE')],
    [
      'PATCH',
      `/v3/marketing/busifavor/stocks/${stockId}`,
      { out_request_no: 'm1', comment: 'c', coupon_use_rule: { use_method: 'OFF_LINE' } },
    ],
    [
      'PATCH',
      `/v3/marketing/busifavor/stocks/${stockId}/budget`,
      { target_max_coupons: 200, current_max_coupons: 100, modify_budget_request_no: 'b1' },
    ],
    [
      'POST',
      `/v3/marketing/busifavor/stocks/${stockId}/couponcodes`,
      { coupon_code_list: ['M-1'], upload_request_no: 'u1' },
    ],
    [
      'POST',
      '/v3/marketing/busifavor/coupons/send',
      { stock_id: apiStock, openid: 'o-m', appid: h.appid, out_request_no: 's1', coupon_code: 'C1' },
    ],
    [
      'POST',
      '/v3/marketing/busifavor/product-coupons/send',
      {
        stock_id: apiStock,
        openid: 'o-m',
        appid: h.appid,
        out_request_no: 'p1',
        coupon_type: 'MEMBER',
        member_card_id: 'card',
      },
    ],
    [
      'POST',
      '/v3/marketing/busifavor/coupons/use',
      {
        coupon_code: 'C1',
        stock_id: apiStock,
        appid: h.appid,
        use_time: new Date().toISOString(),
        use_request_no: 'u1',
      },
    ],
    [
      'POST',
      '/v3/marketing/busifavor/coupons/associate',
      { coupon_code: 'C1', stock_id: apiStock, out_trade_no: 'o1', out_request_no: 'a1' },
    ],
    [
      'POST',
      '/v3/marketing/busifavor/coupons/return',
      { coupon_code: 'C1', stock_id: apiStock, return_request_no: 'r1' },
    ],
    [
      'POST',
      '/v3/marketing/busifavor/coupons/deactivate',
      { coupon_code: 'C1', stock_id: apiStock, deactivate_request_no: 'd1' },
    ],
    ['POST', '/v3/marketing/busifavor/callbacks', { mchid: h.mchid, notify_url: 'https://example.com/n' }],
  ] as const;
  let count = 0;
  for (const [method, path, base] of sends) {
    for (const body of variants(base as Record<string, unknown>)) {
      const res = await h.client.request(method, path, JSON.stringify(body));
      count++;
      if (res.status < 400) continue; // some replacements are still valid requests
      assert.ok(res.status < 500, `${method} ${path} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
      assert.equal(typeof res.data.code, 'string');
      assert.equal(typeof res.data.message, 'string');
    }
  }
  for (const path of [
    `/v3/marketing/busifavor/stocks/${'9'.repeat(30)}`,
    `/v3/marketing/busifavor/stocks/${stockId}/couponcodes?limit=abc`,
    `/v3/marketing/busifavor/stocks/${stockId}/couponcodes/${'%E2%80%8B'}`,
    `/v3/marketing/busifavor/users/o-m/coupons?appid=${h.appid}&limit=1000&creator_merchant=${h.mchid}`,
    `/v3/marketing/busifavor/users/o-m/coupons/${'x'.repeat(40)}/appids/${h.appid}`,
    '/v3/marketing/busifavor/callbacks?mchid=abc',
  ]) {
    const res = await h.client.request('GET', path);
    assert.ok(res.status >= 400 && res.status < 500, `GET ${path} → ${res.status} ${res.text}`);
  }
  const res = await h.client.request('DELETE', `/v3/marketing/busifavor/stocks/${stockId}/couponcodes/M-1`);
  assert.equal(res.status, 400, res.text);
  assert.ok(count > 300);
});
