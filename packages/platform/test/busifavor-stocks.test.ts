import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BUSIFAVOR_LIMITS,
  type BusifavorHarness,
  busifavorStockBody,
  startBusifavor,
  unique,
} from './busifavor-helpers.js';
import { addMerchant, rejection } from './helpers/fixtures.js';

// 商家券 stocks through the SDK: create (B1) in every code mode, get (B2), modify (B3), budget (B4),
// the notification URL (B19/B20), and the family's error codes on them.

describe('商家券 stocks', () => {
  let h: BusifavorHarness;

  before(async () => {
    h = await startBusifavor({ rateLimits: { ...BUSIFAVOR_LIMITS, 'busifavor.callbacks.get': 2 } });
  });
  after(() => h.close());

  for (const mode of ['WECHATPAY_MODE', 'MERCHANT_API', 'MERCHANT_UPLOAD']) {
    test(`a ${mode} stock is created running and reads back with its rules`, async () => {
      const stockId = await h.createStock(mode, { send: { max_coupons_by_day: 10 } });
      const { data } = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
      assert.equal(data.stock_id, stockId);
      assert.equal(data.stock_state, 'RUNNING');
      assert.equal(data.coupon_code_mode, mode);
      assert.equal(data.stock_send_rule.max_coupons, 100);
      assert.equal(data.stock_send_rule.max_coupons_by_day, 10);
      assert.deepEqual(data.coupon_use_rule.fixed_normal_coupon, { discount_amount: 100, transaction_minimum: 1000 });
      assert.equal(data.send_count_information?.total_send_num, 0);
      assert.equal(data.send_count_information?.today_send_num, 0);
      if (mode === 'MERCHANT_UPLOAD') assert.deepEqual(data.coupon_code_count, { total_count: 0, available_count: 0 });
      else assert.equal(data.coupon_code_count, undefined);
    });
  }

  test('the same out_request_no with the same body answers the first stock again', async () => {
    const body = busifavorStockBody(h.mchid, 'WECHATPAY_MODE');
    const first = await h.wxpay.v3.marketing.busifavor.stocks.post({ json: body as never });
    const again = await h.wxpay.v3.marketing.busifavor.stocks.post({ json: body as never });
    assert.equal(again.data.stock_id, first.data.stock_id);
  });

  test('the same out_request_no with another body is RESOURCE_ALREADY_EXISTS', async () => {
    const body = busifavorStockBody(h.mchid, 'WECHATPAY_MODE');
    await h.wxpay.v3.marketing.busifavor.stocks.post({ json: body as never });
    const err = await rejection(
      h.wxpay.v3.marketing.busifavor.stocks.post({ json: { ...body, stock_name: '另一个批次' } as never }),
    );
    assert.equal(err.status, 400);
    assert.equal(err.code, 'RESOURCE_ALREADY_EXISTS');
  });

  test('a body without the rule object its stock_type needs is PARAM_ERROR naming the field', async () => {
    const body = busifavorStockBody(h.mchid, 'WECHATPAY_MODE', { top: { stock_type: 'DISCOUNT' } });
    const err = await rejection(h.wxpay.v3.marketing.busifavor.stocks.post({ json: body as never }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'PARAM_ERROR');
    assert.equal(err.detail?.field, '/coupon_use_rule/fixed_normal_coupon');
  });

  test('max_coupons_per_user above 100 and a window over a year are PARAM_ERROR', async () => {
    for (const over of [
      { send: { max_coupons_per_user: 101 } },
      { time: { available_end_time: new Date(Date.now() + 400 * 86_400_000).toISOString() } },
    ]) {
      const err = await rejection(
        h.wxpay.v3.marketing.busifavor.stocks.post({
          json: busifavorStockBody(h.mchid, 'WECHATPAY_MODE', over) as never,
        }),
      );
      assert.equal(err.code, 'PARAM_ERROR');
    }
  });

  test('an unknown belong_merchant is MCH_NOT_EXISTS and another merchant is NOAUTH', async () => {
    const unknown = await rejection(
      h.wxpay.v3.marketing.busifavor.stocks.post({
        json: busifavorStockBody(h.mchid, 'WECHATPAY_MODE', { top: { belong_merchant: '1234567890' } }) as never,
      }),
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.code, 'MCH_NOT_EXISTS');
    const other = await addMerchant(h.platform, h.admin, 'wx-stock-other');
    const foreign = await rejection(
      h.wxpay.v3.marketing.busifavor.stocks.post({
        json: busifavorStockBody(h.mchid, 'WECHATPAY_MODE', { top: { belong_merchant: other.mchid } }) as never,
      }),
    );
    assert.equal(foreign.status, 403);
    assert.equal(foreign.code, 'NOAUTH');
    other.wxpay.close();
  });

  test('a stock is RESOURCE_NOT_EXISTS when unknown and NOAUTH for a merchant that neither created nor owns it', async () => {
    const missing = await rejection(h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: '9999999999' }));
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'RESOURCE_NOT_EXISTS');
    const stockId = await h.createStock();
    const other = await addMerchant(h.platform, h.admin, 'wx-stock-other2');
    const err = await rejection(other.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId }));
    assert.equal(err.status, 403);
    assert.equal(err.code, 'NOAUTH');
    other.wxpay.close();
  });

  test('modifying a stock answers 204 and the change reads back; stock_name cannot change', async () => {
    const stockId = await h.createStock();
    const res = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.patch({
      stock_id: stockId,
      json: {
        out_request_no: unique('modify'),
        comment: '新备注',
        goods_name: '满20减2',
        coupon_use_rule: { use_method: 'PAYMENT_CODE' },
        stock_send_rule: { prevent_api_abuse: true },
      },
    });
    assert.equal(res.status, 204);
    const { data } = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
    assert.equal(data.comment, '新备注');
    assert.equal(data.goods_name, '满20减2');
    assert.equal(data.coupon_use_rule.use_method, 'PAYMENT_CODE');
    assert.equal(data.coupon_use_rule.fixed_normal_coupon?.discount_amount, 100);
    assert.equal(data.stock_send_rule.prevent_api_abuse, true);
    const err = await rejection(
      h.wxpay.v3.marketing.busifavor.stocks._stock_id_.patch({
        stock_id: stockId,
        json: { out_request_no: unique('modify'), stock_name: '改名' },
      }),
    );
    assert.equal(err.code, 'INVALID_REQUEST');
  });

  test('the budget changes only when current_max_coupons matches, and a request number replays', async () => {
    const stockId = await h.createStock('WECHATPAY_MODE', { send: { max_coupons_by_day: 20 } });
    const budget = h.wxpay.v3.marketing.busifavor.stocks._stock_id_.budget;
    const stale = await rejection(
      budget.patch({
        stock_id: stockId,
        json: { target_max_coupons: 300, current_max_coupons: 99, modify_budget_request_no: unique('b') },
      }),
    );
    assert.equal(stale.status, 400);
    assert.equal(stale.code, 'INVALID_REQUEST');
    assert.equal(stale.detail?.field, '/current_max_coupons');
    const no = unique('b');
    const json = { target_max_coupons: 300, current_max_coupons: 100, modify_budget_request_no: no };
    const changed = await budget.patch({ stock_id: stockId, json });
    assert.deepEqual(changed.data, { max_coupons: 300, max_coupons_by_day: 20 });
    // Replaying the same request answers the same, although current_max_coupons no longer matches.
    const replay = await budget.patch({ stock_id: stockId, json });
    assert.deepEqual(replay.data, changed.data);
    const daily = await budget.patch({
      stock_id: stockId,
      json: { target_max_coupons_by_day: 50, current_max_coupons_by_day: 20, modify_budget_request_no: unique('b') },
    });
    assert.deepEqual(daily.data, { max_coupons: 300, max_coupons_by_day: 50 });
    const both = await rejection(
      budget.patch({
        stock_id: stockId,
        json: {
          target_max_coupons: 1,
          target_max_coupons_by_day: 1,
          current_max_coupons: 300,
          modify_budget_request_no: unique('b'),
        },
      }),
    );
    assert.equal(both.code, 'PARAM_ERROR');
  });

  test('concurrent budget changes from the same current value: exactly one wins', async () => {
    const stockId = await h.createStock();
    const results = await Promise.allSettled(
      [200, 300, 400, 500].map((target) =>
        h.wxpay.v3.marketing.busifavor.stocks._stock_id_.budget.patch({
          stock_id: stockId,
          json: { target_max_coupons: target, current_max_coupons: 100, modify_budget_request_no: unique('cb') },
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  test('the notification URL is set and read back; http is refused unless on loopback', async () => {
    const callbacks = h.wxpay.v3.marketing.busifavor.callbacks;
    const set = await callbacks.post({ json: { notify_url: 'https://merchant.example.com/wxpay/notify' } });
    assert.equal(set.data.mchid, h.mchid);
    assert.equal(set.data.notify_url, 'https://merchant.example.com/wxpay/notify');
    const read = await callbacks.get({ query: { mchid: h.mchid } });
    assert.deepEqual(read.data, { notify_url: 'https://merchant.example.com/wxpay/notify', mchid: h.mchid });
    for (const url of ['http://merchant.example.com/notify', 'https://merchant.example.com/notify?a=1']) {
      const err = await rejection(callbacks.post({ json: { notify_url: url } }));
      assert.equal(err.code, 'PARAM_ERROR');
    }
    for (const url of ['http://127.0.0.2:9/notify', 'http://[::1]:9/notify', 'http://localhost:9/notify']) {
      assert.equal((await callbacks.post({ json: { notify_url: url } })).status, 200);
    }
    const unknown = await rejection(
      callbacks.post({ json: { mchid: '1234567890', notify_url: 'https://a.example.com/n' } }),
    );
    assert.equal(unknown.code, 'MCH_NOT_EXISTS');
  });

  test('calls over the per-merchant limit are 429 FREQUENCY_LIMITED', async () => {
    const callbacks = h.wxpay.v3.marketing.busifavor.callbacks;
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => callbacks.get({ query: { mchid: h.mchid } })));
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
    assert.ok(refused.length >= 1);
    assert.equal(refused[0].status, 429);
    assert.equal(refused[0].code, 'FREQUENCY_LIMITED');
  });
});
