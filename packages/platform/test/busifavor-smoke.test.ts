import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBusifavor } from './busifavor-helpers.js';

test('a WECHATPAY_MODE stock issues a 22-digit code that can be used', async () => {
  const h = await startBusifavor();
  try {
    const stockId = await h.createStock();
    const code = await h.send(stockId, 'o-smoke');
    assert.match(code, /^\d{22}$/);
    const used = await h.wxpay.v3.marketing.busifavor.coupons.use.post({
      json: { coupon_code: code, appid: h.appid, use_time: new Date().toISOString(), use_request_no: 'u1' },
    });
    assert.equal(used.data.openid, 'o-smoke');
  } finally {
    await h.close();
  }
});
