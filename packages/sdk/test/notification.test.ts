import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildTestNotification,
  type CouponUseEvent,
  isCouponSendEvent,
  isCouponUseEvent,
  parseNotification,
  VerificationError,
  Wechatpay,
} from '../src/index.js';
import { fixtures } from './support/fixtures.js';

const useResource = {
  stock_creator_mchid: '9800064',
  stock_id: '9865888',
  coupon_id: '98674556',
  coupon_name: '微信支付代金券',
  status: 'USED',
  description: '微信支付营销',
  create_time: '2019-12-20T13:29:35+08:00',
  coupon_type: 'NORMAL',
  no_cash: true,
  available_begin_time: '2015-05-20T13:29:35+08:00',
  available_end_time: '2015-05-20T13:29:35+08:00',
  singleitem: false,
  normal_coupon_information: { coupon_amount: 100, transaction_minimum: 100 },
  consume_information: {
    consume_time: '2015-05-20T13:29:35+08:00',
    consume_mchid: '9856081',
    transaction_id: '2345234523',
  },
};

async function setup() {
  const f = await fixtures();
  const options = { certs: { [f.platformSerial]: f.platformPublicKeyPem }, apiV3Key: f.apiV3Key };
  const build = (extra: Partial<Parameters<typeof buildTestNotification>[0]> = {}) =>
    buildTestNotification({
      event_type: 'COUPON.USE',
      resource: useResource,
      privateKey: f.platformKey,
      serial: f.platformSerial,
      apiV3Key: f.apiV3Key,
      ...extra,
    });
  return { f, options, build };
}

async function refusedWith(p: Promise<unknown>, reason: string): Promise<VerificationError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VerificationError, `expected a VerificationError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    return err;
  }
  assert.fail('expected the notification to be refused');
}

describe('notifications', () => {
  test('a COUPON.USE notification is verified, decrypted and typed', async () => {
    const { options, build } = await setup();
    const n = build();
    const event = await parseNotification(n, options);
    assert.equal(event.event_type, 'COUPON.USE');
    assert.equal(event.resource_type, 'encrypt-resource');
    assert.equal(event.original_type, 'coupon');
    const use = event as CouponUseEvent;
    assert.equal(use.resource.coupon_id, '98674556');
    assert.equal(use.resource.consume_information?.transaction_id, '2345234523');
  });

  test('a COUPON.SEND notification decrypts through the client and its headers may be a Headers object', async () => {
    const { f, build } = await setup();
    const n = build({
      event_type: 'COUPON.SEND',
      resource: {
        event_type: 'EVENT_TYPE_BUSICOUPON_SEND',
        coupon_code: '202007019999',
        stock_id: '12312354',
        send_time: '2026-11-22T10:00:00+08:00',
        send_channel: 'BUSICOUPON_SEND_CHANNEL_API',
        send_merchant: f.mchid,
      },
    });
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      apiV3Key: f.apiV3Key,
    });
    const event = await wxpay.parseNotification({ headers: new Headers(n.headers), body: Buffer.from(n.body) });
    assert.equal(event.event_type, 'COUPON.SEND');
    assert.ok(isCouponSendEvent(event) && !isCouponUseEvent(event));
    assert.equal(event.resource.send_channel, 'BUSICOUPON_SEND_CHANNEL_API');
  });

  test('a tampered body is refused', async () => {
    const { options, build } = await setup();
    const n = build();
    await refusedWith(
      parseNotification({ headers: n.headers, body: n.body.replace('COUPON.USE', 'COUPON.USF') }, options),
      'BAD_SIGNATURE',
    );
  });

  test('a stale notification is refused', async () => {
    const { options, build } = await setup();
    const n = build({ now: Date.now() - 301_000 });
    await refusedWith(parseNotification(n, options), 'CLOCK_SKEW');
  });

  test('a notification signed by an unknown key is refused, naming its serial', async () => {
    const { f, options, build } = await setup();
    const n = build({ privateKey: f.otherKey, serial: 'PUB_KEY_ID_9999' });
    const err = await refusedWith(parseNotification(n, options), 'UNKNOWN_SERIAL');
    assert.equal(err.serial, 'PUB_KEY_ID_9999');
  });

  test('a notification missing a signature header is refused', async () => {
    const { options, build } = await setup();
    const n = build();
    const { 'Wechatpay-Nonce': _, ...headers } = n.headers;
    const err = await refusedWith(parseNotification({ headers, body: n.body }, options), 'MISSING_HEADER');
    assert.equal(err.header, 'Wechatpay-Nonce');
  });

  test('a WECHATPAY/SIGNTEST/ probe is refused', async () => {
    const { options, build } = await setup();
    const n = build();
    const headers = { ...n.headers, 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abcdefg' };
    await refusedWith(parseNotification({ headers, body: n.body }, options), 'SIGNATURE_PROBE');
  });

  test('the wrong APIv3 key is refused with a hint about apiV3Key', async () => {
    const { options, build } = await setup();
    const n = build();
    const err = await refusedWith(
      parseNotification(n, { ...options, apiV3Key: 'ffffffffffffffffffffffffffffffff' }),
      'DECRYPT_FAILED',
    );
    assert.match(err.message, /apiV3Key/);
  });

  test('a parsed object instead of the raw body is refused with advice', async () => {
    const { options, build } = await setup();
    const n = build();
    const err = await refusedWith(
      parseNotification({ headers: n.headers, body: JSON.parse(n.body) as unknown as string }, options),
      'BAD_BODY',
    );
    assert.match(err.message, /raw body/);
  });
});
