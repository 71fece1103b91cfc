import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseNotification, Wechatpay } from '@wxcoupon/sdk';
import { type BusifavorHarness, busifavorStockBody, startBusifavor } from './busifavor-helpers.js';
import { rejection } from './helpers/fixtures.js';
import { eventually, FAST_DELIVERY, type Receiver, startReceiver } from './notify-helpers.js';

// COUPON.SEND and COUPON.USE delivered to a real local receiver, verified and decrypted with the
// SDK's notification helper; retries after a failure, the end of the schedule, the attempt log.

describe('coupon notifications', () => {
  let h: BusifavorHarness;
  let receiver: Receiver;

  before(async () => {
    h = await startBusifavor();
    receiver = await startReceiver();
    const settings = await h.admin('PUT', '/notifications/settings', FAST_DELIVERY);
    assert.equal(settings.status, 200, JSON.stringify(settings.data));
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  const verify = (r: { headers: Record<string, unknown>; body: string }) => {
    const c = h.platform.credentials;
    return parseNotification(
      { headers: r.headers as Record<string, string>, body: r.body },
      { certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) }, apiV3Key: c.apiV3Key },
    );
  };
  const arrivals = (path: string) => receiver.received.filter((r) => r.path === path);

  test('a 商家券 send is notified as COUPON.SEND, redelivered after the receiver answers 500', async () => {
    await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/send` } });
    receiver.plan.set('/send', [500]);
    const stockId = await h.createStock();
    const code = await h.send(stockId, 'o-notified');
    const [first, second] = await eventually(() => arrivals('/send').length >= 2 && arrivals('/send'));
    assert.ok(first && second);
    const a = await verify(first);
    const b = await verify(second);
    assert.equal(a.id, b.id);
    assert.equal(a.event_type, 'COUPON.SEND');
    assert.equal(a.summary, '商家券领券通知');
    assert.equal(a.original_type, 'coupon');
    assert.deepEqual(
      { ...b.resource, send_time: undefined },
      {
        event_type: 'EVENT_TYPE_BUSICOUPON_SEND',
        coupon_code: code,
        stock_id: stockId,
        send_time: undefined,
        send_channel: 'BUSICOUPON_SEND_CHANNEL_API',
        send_merchant: h.mchid,
      },
    );
    const body = JSON.parse(second.body);
    assert.equal(body.resource.algorithm, 'AEAD_AES_256_GCM');
    assert.equal(body.resource.nonce.length, 12);
    assert.equal(body.resource.associated_data, 'coupon');
    assert.match(String(second.headers['wechatpay-serial']), /^PUB_KEY_ID_/);

    const record = await eventually(async () => {
      const r = await h.admin('GET', `/notifications/${a.id}`);
      return r.data.status === 'DELIVERED' && r.data;
    });
    assert.equal(record.attempts, 2);
    assert.equal(record.attempt_log[0].ok, false);
    assert.equal(record.attempt_log[0].http_status, 500);
    assert.match(record.attempt_log[0].error, /HTTP 500/);
    assert.equal(record.attempt_log[1].ok, true);
    assert.equal(record.attempt_log[1].http_status, 200);
  });

  test('a stock with notify_config.notify_appid puts the openid in COUPON.SEND', async () => {
    await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/openid` } });
    const stockId = await h.createStock('WECHATPAY_MODE', { top: { notify_config: { notify_appid: h.appid } } });
    await h.send(stockId, 'o-with-openid');
    const got = await eventually(() => arrivals('/openid')[0]);
    assert.equal(((await verify(got)).resource as Record<string, unknown>).openid, 'o-with-openid');
  });

  test('a used 代金券 is notified as COUPON.USE to the favor callback URL', async () => {
    const c = h.platform.credentials;
    await h.wxpay.v3.marketing.favor.callbacks.post({ json: { mchid: c.mchid, notify_url: `${receiver.url}/use` } });
    const sent = await h.wxpay.v3.marketing.favor.users._openid_.coupons.post({
      openid: 'o-favor-use',
      json: {
        stock_id: c.favorStockId,
        out_request_no: `use-${Date.now()}`,
        appid: c.appid,
        stock_creator_mchid: c.mchid,
      },
    });
    const couponId = sent.data.coupon_id;
    const used = await h.admin('POST', `/favor/coupons/${couponId}/use`, {
      transaction_id: '4200000000000000000000000001',
    });
    assert.equal(used.status, 200, JSON.stringify(used.data));
    const got = await eventually(() => arrivals('/use')[0]);
    const event = await verify(got);
    assert.equal(event.event_type, 'COUPON.USE');
    assert.equal(event.summary, '用券成功');
    const resource = event.resource as Record<string, unknown>;
    assert.equal(resource.coupon_id, couponId);
    assert.equal(resource.stock_id, c.favorStockId);
    assert.equal(resource.status, 'USED');
    assert.equal(
      (resource.consume_information as { transaction_id: string }).transaction_id,
      '4200000000000000000000000001',
    );
  });

  test('delivery stops after the last retry of the schedule and the notification is FAILED', async () => {
    await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/down` } });
    receiver.plan.set('/down', [500, 502, 503, 504, 500]);
    const stockId = await h.createStock();
    await h.send(stockId, 'o-down');
    const list = await eventually(async () => {
      const r = await h.admin('GET', `/notifications?status=FAILED&event_type=COUPON.SEND`);
      return r.data.data.length > 0 && r.data.data;
    });
    const failed = list[0];
    // One immediate attempt and one retry per entry of retry_delays_ms.
    assert.equal(failed.attempts, FAST_DELIVERY.retry_delays_ms.length + 1);
    assert.deepEqual(
      failed.attempt_log.map((a: { http_status: number }) => a.http_status),
      [500, 502, 503],
    );
    assert.match(failed.last_error, /HTTP 503/);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(arrivals('/down').length, 3);

    const again = await h.admin('POST', `/notifications/${failed.id}/redeliver`);
    assert.equal(again.status, 200);
    await eventually(() => arrivals('/down').length === 4);
  });

  test('a refused send leaves no notification behind: the outbox row commits only with the coupon', async () => {
    await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/atomic` } });
    const stockId = await h.createStock('WECHATPAY_MODE', { send: { max_coupons: 1 } });
    const before = (await h.admin('GET', '/notifications?limit=200')).data.data.length;
    await h.send(stockId, 'o-atomic-1');
    assert.equal((await rejection(h.send(stockId, 'o-atomic-2'))).code, 'NOT_ENOUGH');
    const after = (await h.admin('GET', '/notifications?limit=200')).data.data;
    assert.equal(after.length, before + 1);
    await eventually(() => arrivals('/atomic').length === 1);
  });

  test('a merchant in certificate mode gets notifications signed with the platform certificate', async () => {
    const m = await h.admin('POST', '/merchants', { platform_key_mode: 'certificate' });
    assert.equal(m.status, 200);
    await h.admin('POST', `/merchants/${m.data.mchid}/appids`, { appid: 'wx-cert-mode' });
    const platformCert = readFileSync(join(h.platform.credentials.privateKeyFile, '..', 'platform_cert.pem'));
    const certSerial = new X509Certificate(platformCert).serialNumber.toUpperCase();
    const wxpay = new Wechatpay({
      mchid: m.data.mchid,
      serial: m.data.serial,
      privateKey: m.data.private_key,
      certs: { [certSerial]: platformCert },
      baseURL: 'http://platform.test/',
      fetch: h.platform.fetch,
    });
    try {
      await wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/cert-mode` } });
      const stock = await wxpay.v3.marketing.busifavor.stocks.post({
        json: busifavorStockBody(m.data.mchid, 'WECHATPAY_MODE') as never,
      });
      await wxpay.v3.marketing.busifavor.coupons.send.post({
        json: { stock_id: stock.data.stock_id, openid: 'o-cert-mode', appid: 'wx-cert-mode', out_request_no: 'cm-1' },
      });
      const got = await eventually(() => arrivals('/cert-mode')[0]);
      assert.equal(String(got.headers['wechatpay-serial']).toUpperCase(), certSerial);
      const event = await parseNotification(
        { headers: got.headers as Record<string, string>, body: got.body },
        { certs: { [certSerial]: platformCert }, apiV3Key: m.data.api_v3_key },
      );
      assert.equal(event.event_type, 'COUPON.SEND');
      assert.equal((event.resource as Record<string, unknown>).send_merchant, m.data.mchid);
    } finally {
      wxpay.close();
    }
  });

  test('a notification URL without https is refused unless it is a loopback address', async () => {
    const err = await rejection(
      h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: 'http://192.168.1.10/notify' } }),
    );
    assert.equal(err.code, 'PARAM_ERROR');
    assert.equal(err.detail?.field, '/notify_url');
  });

  test('the admin API refuses a lease no longer than a delivery', async () => {
    const r = await h.admin('PUT', '/notifications/settings', { lease_ms: 2000, timeout_ms: 2000 });
    assert.equal(r.status, 400);
    assert.equal(r.data.code, 'PARAM_ERROR');
  });
});
