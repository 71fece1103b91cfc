import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ENDPOINT_KEYS, type Wechatpay } from '@wxcoupon/sdk';
import { MODES, rejection, sdkFor, stockBody, transport } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// F11/F12 (available merchants and items), F13/F14 (use-flow and refund-flow links), and the SDK's
// endpoint map held against the routes the platform answers.

for (const mode of MODES) {
  describe(`代金券 merchants, items and flow files (${mode})`, () => {
    let t: TestPlatform;
    let wxpay: Wechatpay;
    let mchid: string;
    const shift = { ms: 0 };

    before(async () => {
      t = await startTestPlatform({ clock: () => Date.now() + shift.ms });
      wxpay = sdkFor(t.platform.credentials, await transport(t.platform, mode));
      mchid = t.platform.credentials.mchid;
    });
    after(async () => {
      wxpay.close();
      await t.close();
    });

    test('a stock lists the merchants and items it may be used with, paged', async () => {
      const merchants = Array.from({ length: 3 }, (_, i) => `19000000${i}`);
      const body = stockBody(mchid, {
        coupon_use_rule: {
          fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 200 },
          available_merchants: merchants,
          available_items: ['sku-1', 'sku-2'],
        },
      });
      const { data } = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
        json: body,
      });
      const m = await wxpay.request<{ total_count: number; data: string[]; stock_id: string }>(
        'GET',
        'v3/marketing/favor/stocks/{stock_id}/merchants',
        {
          stock_id: data.stock_id,
          query: { offset: 1, limit: 50, stock_creator_mchid: mchid },
        },
      );
      assert.deepEqual(m.data, {
        total_count: 3,
        data: merchants.slice(1),
        offset: 1,
        limit: 50,
        stock_id: data.stock_id,
      });
      const items = await wxpay.request<{ data: string[] }>('GET', 'v3/marketing/favor/stocks/{stock_id}/items', {
        stock_id: data.stock_id,
        query: { offset: 0, limit: 100, stock_creator_mchid: mchid },
      });
      assert.deepEqual(items.data.data, ['sku-1', 'sku-2']);
      const tooMany = await rejection(
        wxpay.request('GET', 'v3/marketing/favor/stocks/{stock_id}/merchants', {
          stock_id: data.stock_id,
          query: { offset: 0, limit: 51, stock_creator_mchid: mchid },
        }),
      );
      assert.equal(tooMany.detail?.field, '/limit');
    });

    test('the use-flow link is refused until 10 hours after the end, then downloads a CSV whose SHA-1 matches', async () => {
      const c = t.platform.credentials;
      const body = stockBody(mchid, {
        available_begin_time: new Date(Date.now() + shift.ms).toISOString(),
        available_end_time: new Date(Date.now() + shift.ms + 3_600_000).toISOString(),
      });
      const { data } = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
        json: body,
      });
      await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
        stock_id: data.stock_id,
        json: { stock_creator_mchid: mchid },
      });
      const sent = await wxpay.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
        openid: 'o-flow',
        json: { stock_id: data.stock_id, out_request_no: `flow-${mode}`, appid: c.appid, stock_creator_mchid: mchid },
      });
      await t.admin('POST', `/favor/coupons/${sent.data.coupon_id}/use`, { transaction_id: '4200000001' });
      const early = await rejection(
        wxpay.request('GET', 'v3/marketing/favor/stocks/{stock_id}/use-flow', { stock_id: data.stock_id }),
      );
      assert.equal(early.code, 'INVALID_REQUEST');
      shift.ms += 12 * 3_600_000;
      try {
        const link = await wxpay.request<{ url: string; hash_value: string; hash_type: string }>(
          'GET',
          'v3/marketing/favor/stocks/{stock_id}/use-flow',
          {
            stock_id: data.stock_id,
          },
        );
        assert.equal(link.data.hash_type, 'SHA1');
        const fetcher = mode === 'in-process' ? t.platform.fetch : fetch;
        const file = await (await fetcher(new Request(link.data.url))).text();
        assert.equal(createHash('sha1').update(file).digest('hex'), link.data.hash_value);
        assert.match(
          file,
          new RegExp(
            `^stock_id,coupon_id.*\\n${data.stock_id},${sent.data.coupon_id},100,200,.*,${mchid},4200000001\\n$`,
          ),
        );
        const forged = await fetcher(new Request(link.data.url.replace(/token=[^&]+/, 'token=forged')));
        assert.equal(forged.status, 404);
        const refund = await wxpay.request<{ url: string }>('GET', 'v3/marketing/favor/stocks/{stock_id}/refund-flow', {
          stock_id: data.stock_id,
        });
        assert.match(await (await fetcher(new Request(refund.data.url))).text(), /^stock_id,coupon_id[^\n]*\n$/);
      } finally {
        shift.ms -= 12 * 3_600_000;
      }
    });
  });
}

describe('the SDK endpoint map and the platform', () => {
  test('every 代金券 endpoint the SDK knows is a route of the platform', async () => {
    const t = await startTestPlatform();
    try {
      const keys = ENDPOINT_KEYS.filter((k) => k.includes('/v3/marketing/favor/') || k.endsWith('/v3/certificates'));
      assert.ok(keys.length >= 15);
      for (const key of keys) {
        const [method, template] = key.split(' ') as [string, string];
        const path = template.replace(/\{[^}]+\}/g, 'x1');
        const res = await t.client.request(method, path, method === 'GET' ? '' : '{}');
        // An unknown route is 404 with an empty body; a known one answers its own validation error.
        assert.ok(res.status !== 404 || res.text !== '', `${key} is not served (HTTP ${res.status})`);
      }
    } finally {
      await t.close();
    }
  });
});
