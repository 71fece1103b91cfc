import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseNotification } from '@wxcoupon/sdk';
import { type BusifavorHarness, startBusifavor } from './busifavor-helpers.js';
import { eventually, FAST_DELIVERY, type Receiver, startReceiver } from './notify-helpers.js';

// Notifications on request: trigger sends a new, signed and encrypted COUPON.USE / COUPON.SEND for an
// existing coupon now; redeliver attempts any notification now, a pending one included.

describe('notifications sent now', () => {
  let h: BusifavorHarness;
  let receiver: Receiver;

  before(async () => {
    h = await startBusifavor();
    receiver = await startReceiver();
    assert.equal((await h.admin('PUT', '/notifications/settings', FAST_DELIVERY)).status, 200);
  });
  after(async () => {
    h.wxpay.close();
    await h.close();
    await receiver.close();
  });

  const arrivals = (path: string) => receiver.received.filter((r) => r.path === path);
  const verify = (r: { headers: Record<string, unknown>; body: string }) => {
    const c = h.platform.credentials;
    return parseNotification(
      { headers: r.headers as Record<string, string>, body: r.body },
      { certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) }, apiV3Key: c.apiV3Key },
    );
  };
  const favorCoupon = async (openid: string) => {
    const c = h.platform.credentials;
    const sent = await h.wxpay.v3.marketing.favor.users._openid_.coupons.post({
      openid,
      json: { stock_id: c.favorStockId, out_request_no: `t-${openid}`, appid: c.appid, stock_creator_mchid: c.mchid },
    });
    return sent.data.coupon_id;
  };

  test('trigger COUPON.USE sends a 代金券 as F9 shows it, signed and encrypted, before it answers', async () => {
    await h.wxpay.v3.marketing.favor.callbacks.post({ json: { mchid: h.mchid, notify_url: `${receiver.url}/t-use` } });
    const couponId = await favorCoupon('o-trigger-use');
    const sent = await h.admin('POST', '/notifications/trigger', { coupon_id: couponId, event_type: 'COUPON.USE' });
    assert.equal(sent.status, 200, JSON.stringify(sent.data));
    assert.equal(sent.data.status, 'DELIVERED');
    assert.equal(sent.data.event_type, 'COUPON.USE');
    assert.equal(sent.data.attempts, 1);
    assert.equal(sent.data.attempt_log[0].http_status, 200);
    const got = arrivals('/t-use');
    assert.equal(got.length, 1, 'delivered before the answer');
    const event = await verify(got[0] as (typeof got)[0]);
    assert.equal(event.id, sent.data.id);
    assert.equal(event.event_type, 'COUPON.USE');
    assert.equal(event.summary, '用券成功');
    const resource = event.resource as Record<string, unknown>;
    assert.equal(resource.coupon_id, couponId);
    assert.equal(resource.status, 'SENDED');
    assert.equal(resource.stock_id, h.platform.credentials.favorStockId);
    // It is a notification like the others: listed, and delivered again on request.
    const listed = (await h.admin('GET', '/notifications?event_type=COUPON.USE&limit=200')).data.data;
    assert.ok(listed.some((n: { id: string }) => n.id === sent.data.id));
  });

  test('trigger COUPON.SEND sends a 商家券 by its code to the 商家券 callback URL', async () => {
    await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/t-send` } });
    const stockId = await h.createStock();
    const code = await h.send(stockId, 'o-trigger-send');
    // The send's own notification first, so the trigger's is told apart.
    await eventually(() => arrivals('/t-send').length === 1);
    const sent = await h.admin('POST', '/notifications/trigger', {
      coupon_id: code,
      event_type: 'COUPON.SEND',
      mchid: h.mchid,
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.data));
    assert.equal(sent.data.status, 'DELIVERED');
    const got = arrivals('/t-send');
    assert.equal(got.length, 2);
    const [original, again] = [await verify(got[0] as never), await verify(got[1] as never)];
    assert.equal(again.id, sent.data.id);
    assert.notEqual(again.id, original.id);
    assert.equal(again.event_type, 'COUPON.SEND');
    assert.deepEqual(again.resource, original.resource);
  });

  test('trigger refuses an unknown coupon, another merchant, an unknown event and a merchant without a URL', async () => {
    const couponId = await favorCoupon('o-trigger-refused');
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ coupon_id: '999999999', event_type: 'COUPON.USE' }, 404, 'RESOURCE_NOT_EXISTS'],
      [{ coupon_id: 'no-such-code', event_type: 'COUPON.SEND' }, 404, 'RESOURCE_NOT_EXISTS'],
      [{ coupon_id: couponId, event_type: 'COUPON.USE', mchid: '1234567890' }, 404, 'RESOURCE_NOT_EXISTS'],
      [{ coupon_id: couponId, event_type: 'COUPON.EXPIRE' }, 400, 'PARAM_ERROR'],
      [{ event_type: 'COUPON.USE' }, 400, 'PARAM_ERROR'],
    ];
    for (const [body, status, code] of cases) {
      const r = await h.admin('POST', '/notifications/trigger', body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.data.code, code, JSON.stringify(body));
    }
    await h.wxpay.v3.marketing.favor.callbacks.post({
      json: { mchid: h.mchid, notify_url: `${receiver.url}/t-off`, switch: false },
    });
    const off = await h.admin('POST', '/notifications/trigger', { coupon_id: couponId, event_type: 'COUPON.USE' });
    assert.equal(off.status, 400);
    assert.equal(off.data.code, 'INVALID_REQUEST');
    assert.match(off.data.message, /notification URL/);
    assert.equal(arrivals('/t-off').length, 0);
  });

  test('redeliver attempts a pending notification now, not at its next scheduled retry', async () => {
    const HOUR = 3_600_000;
    assert.equal(
      (await h.admin('PUT', '/notifications/settings', { ...FAST_DELIVERY, retry_delays_ms: [HOUR, HOUR] })).status,
      200,
    );
    try {
      await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/t-pending` } });
      receiver.plan.set('/t-pending', [503]);
      await h.send(await h.createStock(), 'o-redeliver-pending');
      const pending = await eventually(async () => {
        const list = (await h.admin('GET', '/notifications?status=PENDING&limit=200')).data.data;
        return list.find(
          (n: { notify_url: string; attempts: number }) => n.notify_url.endsWith('/t-pending') && n.attempts === 1,
        );
      });
      const again = await h.admin('POST', `/notifications/${pending.id}/redeliver`);
      assert.equal(again.status, 200, JSON.stringify(again.data));
      assert.equal(again.data.status, 'DELIVERED');
      assert.equal(again.data.attempts, 2);
      assert.equal(arrivals('/t-pending').length, 2, 'delivered before the answer');
      // A delivered one can be delivered again too; an unknown id is not found.
      const third = await h.admin('POST', `/notifications/${pending.id}/redeliver`);
      assert.equal(third.data.attempts, 3);
      assert.equal(arrivals('/t-pending').length, 3);
      assert.equal((await h.admin('POST', '/notifications/nope/redeliver')).status, 404);
    } finally {
      await h.admin('PUT', '/notifications/settings', FAST_DELIVERY);
    }
  });
});
