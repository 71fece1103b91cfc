import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { MODES, rejection, sdkFor, transport, type Via } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// F9/F10 queries, marking a coupon used (admin), the favor.coupon.used hook, F18/F19 callbacks, reset.

for (const mode of MODES) {
  describe(`代金券 coupons, callbacks and the admin API (${mode})`, () => {
    let t: TestPlatform;
    let wxpay: Wechatpay;
    let via: Via;
    let mchid: string;
    let appid: string;
    let stock: string;
    const used: Array<{ couponId: string; status: unknown }> = [];

    before(async () => {
      t = await startTestPlatform();
      t.platform.context.hooks.on('favor.coupon.used', async (_trx, e) => {
        used.push({ couponId: e.couponId, status: e.coupon.status });
      });
      via = await transport(t.platform, mode);
      wxpay = sdkFor(t.platform.credentials, via);
      ({ mchid, appid, favorStockId: stock } = t.platform.credentials);
    });
    after(async () => {
      wxpay.close();
      await t.close();
    });

    let n = 0;
    const send = async (openid: string) =>
      (
        await wxpay.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
          openid,
          json: { stock_id: stock, out_request_no: `c${++n}`, appid, stock_creator_mchid: mchid },
        })
      ).data.coupon_id;
    const list = (openid: string, query: Record<string, unknown>) =>
      wxpay.request<{
        data: Array<{ coupon_id: string; status: string }>;
        total_count: number;
        offset: number;
        limit: number;
      }>('GET', 'v3/marketing/favor/users/{openid}/coupons', { openid, query: { appid, ...query } });

    test('a user’s coupons list by creator or sender, with status filter and paging', async () => {
      const ids = [await send('o-list'), await send('o-list'), await send('o-list')];
      const all = await list('o-list', { creator_mchid: mchid });
      assert.equal(all.data.total_count, 3);
      assert.deepEqual(new Set(all.data.data.map((c) => c.coupon_id)), new Set(ids));
      const page = await list('o-list', { sender_mchid: mchid, offset: 1, limit: 1 });
      assert.equal(page.data.data.length, 1);
      assert.equal(page.data.total_count, 3);
      assert.equal((await list('o-list', { creator_mchid: mchid, status: 'USED' })).data.total_count, 0);
      assert.equal((await list('o-list', { available_mchid: mchid })).data.total_count, 3);
      const none = await rejection(list('o-list', {}));
      assert.equal(none.code, 'PARAM_ERROR');
      assert.equal((await rejection(list('o-list', { creator_mchid: '1234567' }))).code, 'REQUEST_BLOCKED');
    });

    test('a coupon of another user, or with the wrong appid, is RESOURCE_NOT_EXISTS', async () => {
      const id = await send('o-owner');
      const get = (openid: string, app: string) =>
        wxpay.request('GET', 'v3/marketing/favor/users/{openid}/coupons/{coupon_id}', {
          openid,
          coupon_id: id,
          query: { appid: app },
        });
      assert.equal((await get('o-owner', appid)).status, 200);
      assert.equal((await rejection(get('o-stranger', appid))).code, 'RESOURCE_NOT_EXISTS');
      assert.equal((await rejection(get('o-owner', 'wx-else'))).status, 404);
    });

    test('marking a coupon used sets USED with consume_information and emits favor.coupon.used once', async () => {
      const id = await send('o-use');
      const res = await t.admin('POST', `/favor/coupons/${id}/use`, { transaction_id: '4200000000000000000001' });
      assert.equal(res.status, 200);
      assert.equal(res.data.status, 'USED');
      assert.equal(res.data.consume_information.transaction_id, '4200000000000000000001');
      assert.equal(res.data.consume_information.consume_mchid, mchid);
      const got = await wxpay.request<{ status: string; consume_information: unknown }>(
        'GET',
        'v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
        {
          openid: 'o-use',
          coupon_id: id,
          query: { appid },
        },
      );
      assert.equal(got.data.status, 'USED');
      assert.deepEqual(
        used.filter((u) => u.couponId === id),
        [{ couponId: id, status: 'USED' }],
      );
      const again = await t.admin('POST', `/favor/coupons/${id}/use`, {});
      assert.equal(again.status, 400);
      assert.equal(again.data.code, 'INVALID_REQUEST');
      assert.equal(used.filter((u) => u.couponId === id).length, 1);
      assert.equal((await t.admin('POST', '/favor/coupons/123/use', {})).status, 404);
      assert.equal((await list('o-use', { creator_mchid: mchid, status: 'USED' })).data.total_count, 1);
    });

    test('a failing hook rolls the use back, so the coupon stays SENDED', async () => {
      const id = await send('o-rollback');
      let fail = true;
      t.platform.context.hooks.on('favor.coupon.used', async () => {
        if (fail) throw new Error('outbox unavailable');
      });
      const res = await t.admin('POST', `/favor/coupons/${id}/use`, {});
      assert.equal(res.status, 500);
      assert.equal(res.data.code, 'SYSTEM_ERROR');
      fail = false;
      const row = await t.platform.context.db
        .selectFrom('favor_coupons')
        .select('status')
        .where('coupon_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'SENDED');
    });

    test('the notification URL is set and read back; http is accepted on loopback only, https elsewhere', async () => {
      const set = await wxpay.request<{ notify_url: string; update_time: string }>(
        'POST',
        'v3/marketing/favor/callbacks',
        {
          json: { mchid, notify_url: 'https://merchant.example.com/notify' },
        },
      );
      assert.equal(set.data.notify_url, 'https://merchant.example.com/notify');
      assert.ok(set.data.update_time);
      const got = await wxpay.request<{ mchid: string; notify_url: string }>('GET', 'v3/marketing/favor/callbacks', {
        query: { mchid },
      });
      assert.deepEqual(got.data, { mchid, notify_url: 'https://merchant.example.com/notify' });
      await wxpay.request('POST', 'v3/marketing/favor/callbacks', {
        json: { mchid, notify_url: 'http://127.0.0.1:9999/hook', switch: true },
      });
      assert.equal(await t.platform.context.services.favor.callbackUrl(mchid), 'http://127.0.0.1:9999/hook');
      for (const bad of [
        'http://merchant.example.com/notify',
        'https://merchant.example.com/notify?x=1',
        'not a url',
      ]) {
        const err = await rejection(
          wxpay.request('POST', 'v3/marketing/favor/callbacks', { json: { mchid, notify_url: bad } }),
        );
        assert.equal(err.code, 'PARAM_ERROR', bad);
        assert.equal(err.detail?.field, '/notify_url');
      }
      assert.equal(
        (
          await rejection(
            wxpay.request('POST', 'v3/marketing/favor/callbacks', {
              json: { mchid: '1234567', notify_url: 'https://a.example/n' },
            }),
          )
        ).code,
        'MCH_NOT_EXISTS',
      );
      await wxpay.request('POST', 'v3/marketing/favor/callbacks', {
        json: { mchid, notify_url: 'https://a.example/n', switch: false },
      });
      assert.equal(await t.platform.context.services.favor.callbackUrl(mchid), undefined);
    });

    test('reset deletes issued coupons and restores budgets, keeping stocks and users', async () => {
      await send('o-reset');
      const res = await t.admin('POST', '/reset');
      assert.equal(res.status, 200);
      const s = await wxpay.request<{ distributed_coupons: number; status: string }>(
        'GET',
        'v3/marketing/favor/stocks/{stock_id}',
        {
          stock_id: stock,
          query: { stock_creator_mchid: mchid },
        },
      );
      assert.equal(s.data.distributed_coupons, 0);
      assert.equal(s.data.status, 'running');
      assert.equal((await list('o-reset', { creator_mchid: mchid })).data.total_count, 0);
      assert.equal((await t.admin('GET', '/users/o-reset')).status, 200);
    });
  });
}
