import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { addMerchant, MODES, rejection, sdkFor, stockBody, transport, type Via } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// F1–F7: create (limits of coupon-api.md §3.3), the lifecycle state machine, get and list.

for (const mode of MODES) {
  describe(`代金券 stocks (${mode})`, () => {
    let t: TestPlatform;
    let wxpay: Wechatpay;
    let via: Via;
    let mchid: string;

    before(async () => {
      t = await startTestPlatform();
      via = await transport(t.platform, mode);
      wxpay = sdkFor(t.platform.credentials, via);
      mchid = t.platform.credentials.mchid;
    });
    after(async () => {
      wxpay.close();
      await t.close();
    });

    const create = (json: Record<string, unknown>) =>
      wxpay.request<{ stock_id: string; create_time: string }>('POST', 'v3/marketing/favor/coupon-stocks', { json });
    const op = (stockId: string, name: string, creator = mchid) =>
      wxpay.request<Record<string, string>>('POST', `v3/marketing/favor/stocks/{stock_id}/${name}`, {
        stock_id: stockId,
        json: { stock_creator_mchid: creator },
      });
    const get = (stockId: string) =>
      wxpay.request<Record<string, unknown>>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
        stock_id: stockId,
        query: { stock_creator_mchid: mchid },
      });

    test('a created stock reads back unactivated with the rules it was given', async () => {
      const res = await create(
        stockBody(
          mchid,
          { pattern_info: { description: '满2元减1元', background_color: 'COLOR020' } },
          { max_coupons: 10, max_amount_by_day: 500 },
        ),
      );
      assert.match(res.data.stock_id, /^\d{1,20}$/);
      assert.match(res.data.create_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      const s = await get(res.data.stock_id);
      assert.equal(s.data.status, 'unactivated');
      assert.equal(s.data.stock_creator_mchid, mchid);
      assert.equal(s.data.description, '满2元减1元');
      assert.equal(s.data.distributed_coupons, 0);
      assert.equal(s.data.no_cash, false);
      assert.equal(s.data.stock_type, 'NORMAL');
      assert.deepEqual(s.data.stock_use_rule, {
        max_coupons: 10,
        max_amount: 1000,
        max_amount_by_day: 500,
        fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 200 },
        max_coupons_per_user: 5,
        coupon_type: 'NORMAL',
        combine_use: true,
      });
    });

    test('creating twice with one out_request_no returns the same stock; with other content it is INVALID_REQUEST', async () => {
      const body = stockBody(mchid);
      const a = await create(body);
      const b = await create({ ...body });
      assert.equal(b.data.stock_id, a.data.stock_id);
      const err = await rejection(create({ ...body, stock_name: '另一个批次' }));
      assert.equal(err.code, 'INVALID_REQUEST');
    });

    test('create refuses out-of-range fields with PARAM_ERROR naming each one', async () => {
      const cases: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
        [{ stock_name: '' }, {}, '/stock_name'],
        [{ stock_name: 'x'.repeat(21) }, {}, '/stock_name'],
        [{ stock_name: 'a_b' }, {}, '/stock_name'],
        [{ comment: 'x'.repeat(61) }, {}, '/comment'],
        [{ available_begin_time: '2020-01-01 00:00:00' }, {}, '/available_begin_time'],
        [{ available_begin_time: new Date(Date.now() - 3_600_000).toISOString() }, {}, '/available_begin_time'],
        [{ available_end_time: new Date(Date.now() + 91 * 86_400_000).toISOString() }, {}, '/available_end_time'],
        [{}, { max_coupons: 4, max_amount: 400 }, '/stock_use_rule/max_coupons'],
        [{}, { max_amount: 999 }, '/stock_use_rule/max_amount'],
        [{}, { max_coupons_per_user: 101 }, '/stock_use_rule/max_coupons_per_user'],
        [{}, { natural_person_limit: 'yes' }, '/stock_use_rule/natural_person_limit'],
        [{ stock_type: 'RANDOM' }, {}, '/stock_type'],
        [{ no_cash: undefined }, {}, '/no_cash'],
        [{ out_request_no: 'a b' }, {}, '/out_request_no'],
        [
          {
            coupon_use_rule: {
              fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 100 },
              available_merchants: [mchid],
            },
          },
          {},
          '/coupon_use_rule/fixed_normal_coupon/transaction_minimum',
        ],
        [
          { coupon_use_rule: { fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 200 } } },
          {},
          '/coupon_use_rule/available_merchants',
        ],
        [
          {
            coupon_use_rule: {
              fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 200 },
              available_merchants: ['abc'],
            },
          },
          {},
          '/coupon_use_rule/available_merchants/0',
        ],
        [{ pattern_info: { description: 'd', background_color: 'PINK' } }, {}, '/pattern_info/background_color'],
        [{ pattern_info: { description: 'd', jump_target: 'MINI_PROGRAM' } }, {}, '/pattern_info/mini_program_appid'],
      ];
      for (const [over, rule, field] of cases) {
        const err = await rejection(create(stockBody(mchid, over, rule)));
        assert.equal(err.code, 'PARAM_ERROR', field);
        assert.equal(err.detail?.field, field);
      }
    });

    test('an unknown belong_merchant is MCH_NOT_EXISTS', async () => {
      const err = await rejection(create(stockBody(mchid, { belong_merchant: '1234567' })));
      assert.equal(err.code, 'MCH_NOT_EXISTS');
    });

    test('the lifecycle follows unactivated → running ⇄ paused, and stop ends only an unactivated stock', async () => {
      // The error table lists an illegal state change as 400 PARAM_ERROR 非法的批次状态.
      const { data } = await create(stockBody(mchid));
      const id = data.stock_id;
      assert.equal((await rejection(op(id, 'pause'))).code, 'PARAM_ERROR');
      assert.equal((await rejection(op(id, 'restart'))).code, 'PARAM_ERROR');
      const started = await op(id, 'start');
      assert.equal(started.data.stock_id, id);
      assert.ok(started.data.start_time);
      assert.equal((await get(id)).data.status, 'running');
      assert.equal((await rejection(op(id, 'start'))).code, 'PARAM_ERROR');
      assert.equal((await rejection(op(id, 'stop'))).code, 'PARAM_ERROR');
      assert.ok((await op(id, 'pause')).data.pause_time);
      assert.equal((await get(id)).data.status, 'paused');
      assert.ok((await op(id, 'restart')).data.restart_time);
      assert.equal((await get(id)).data.status, 'running');

      const other = (await create(stockBody(mchid))).data.stock_id;
      assert.ok((await op(other, 'stop')).data.stop_time);
      const stopped = await get(other);
      assert.equal(stopped.data.status, 'stoped');
      assert.ok(stopped.data.stop_time);
      const illegal = await rejection(op(other, 'start'));
      assert.equal(illegal.code, 'PARAM_ERROR');
      assert.match(illegal.message, /: 非法的批次状态 /);
    });

    test('lifecycle calls on an unknown stock are RESOURCE_NOT_EXISTS, and only the creator may make them', async () => {
      assert.equal((await rejection(op('1234567890', 'start'))).code, 'RESOURCE_NOT_EXISTS');
      const { data } = await create(stockBody(mchid));
      const other = await addMerchant(t.platform, t.admin, 'wx-stocks-other', via);
      const err = await rejection(
        other.wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
          stock_id: data.stock_id,
          json: { stock_creator_mchid: mchid },
        }),
      );
      assert.equal(err.code, 'REQUEST_BLOCKED');
      const read = await rejection(
        other.wxpay.request('GET', 'v3/marketing/favor/stocks/{stock_id}', {
          stock_id: data.stock_id,
          query: { stock_creator_mchid: mchid },
        }),
      );
      assert.equal(read.code, 'REQUEST_BLOCKED');
      assert.equal((await get(data.stock_id)).data.status, 'unactivated');
    });

    test('the stock list pages by offset (a page index) and limit ≤ 10, and filters by status', async () => {
      const fresh = await addMerchant(t.platform, t.admin, 'wx-list-app', via);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await fresh.wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
          json: stockBody(fresh.mchid),
        });
        ids.push(r.data.stock_id);
      }
      await fresh.wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
        stock_id: ids[0],
        json: { stock_creator_mchid: fresh.mchid },
      });
      const list = (query: Record<string, unknown>) =>
        fresh.wxpay.request<{ total_count: number; data: Array<{ stock_id: string }>; offset: number; limit: number }>(
          'GET',
          'v3/marketing/favor/stocks',
          {
            query: { stock_creator_mchid: fresh.mchid, ...query },
          },
        );
      const first = await list({ offset: 0, limit: 10 });
      const second = await list({ offset: 1, limit: 10 });
      assert.equal(first.data.total_count, 12);
      assert.equal(first.data.data.length, 10);
      assert.equal(second.data.data.length, 2);
      assert.equal(new Set([...first.data.data, ...second.data.data].map((s) => s.stock_id)).size, 12);
      const running = await list({ offset: 0, limit: 10, status: 'running' });
      assert.deepEqual(
        running.data.data.map((s) => s.stock_id),
        [ids[0]],
      );
      assert.equal((await rejection(list({ offset: 0, limit: 11 }))).code, 'PARAM_ERROR');
      assert.equal((await rejection(list({ limit: 5 }))).detail?.field, '/offset');
      assert.equal(
        (await rejection(list({ offset: 0, limit: 5, create_start_time: 'yesterday' }))).code,
        'PARAM_ERROR',
      );
    });
  });
}
