import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestPlatform } from './helpers/platform.js';

test('a fresh platform provisions a demo stock that the demo merchant can send from', async () => {
  const t = await startTestPlatform();
  try {
    const c = t.platform.credentials;
    const res = await t.client.post('/v3/marketing/favor/users/o-smoke/coupons', {
      stock_id: c.favorStockId,
      out_request_no: 'smoke-1',
      appid: c.appid,
      stock_creator_mchid: c.mchid,
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.signed);
    assert.match(res.data.coupon_id, /^\d{18}$/);
  } finally {
    await t.close();
  }
});
