import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Aes, Formatter, Hash, Wechatpay as PeerWechatpay, Rsa } from 'wechatpay-axios-plugin';
import {
  buildTestNotification,
  type CouponUseEvent,
  parseAuthorization,
  parseNotification,
  v2Sign,
  v2Verify,
  Wechatpay,
} from '../src/index.js';
import { type Fixtures, fixtures } from './support/fixtures.js';
import { type SigningServer, startSigningServer } from './support/signing-server.js';

// Interoperability with wechatpay-axios-plugin, a widely used independent implementation.

let f: Fixtures;
let server: SigningServer;

before(async () => {
  f = await fixtures();
  server = await startSigningServer({
    ...f,
    handler: (req) => ({ json: { coupon_id: `C-${req.path.split('/')[5]}` } }),
  });
});
after(() => server.close());

const sendJson = {
  stock_id: '9856000',
  out_request_no: 'r-1',
  appid: 'wx233544546545989',
  stock_creator_mchid: '8956000',
};

describe('interoperability with wechatpay-axios-plugin', () => {
  test('a request signed by this SDK verifies under the peer implementation', async () => {
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      baseURL: server.url,
    });
    try {
      await wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'oT123', json: sendJson });
      const seen = server.requests.at(-1)!;
      const auth = parseAuthorization(seen.headers.authorization)!;
      const message = Formatter.request('POST', seen.url, auth.timestamp, auth.nonce_str, seen.body);
      assert.ok(Rsa.verify(message, auth.signature, Rsa.from(f.merchantCertPem, Rsa.KEY_TYPE_PUBLIC)));
    } finally {
      wxpay.close();
    }
  });

  test('a response signed by the peer implementation verifies under this SDK', async () => {
    const body = JSON.stringify({ coupon_id: '9867041' });
    const ts = `${Formatter.timestamp()}`;
    const nonceStr = Formatter.nonce();
    const signature = Rsa.sign(Formatter.response(ts, nonceStr, body), f.platformKey);
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      fetch: async () =>
        new Response(body, {
          headers: {
            'Content-Type': 'application/json',
            'Request-ID': 'PEER-1',
            'Wechatpay-Timestamp': ts,
            'Wechatpay-Nonce': nonceStr,
            'Wechatpay-Serial': f.platformSerial,
            'Wechatpay-Signature': signature,
            'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
          },
        }),
    });
    const res = await wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'o', json: sendJson });
    assert.equal(res.data.coupon_id, '9867041');
    assert.equal(res.requestId, 'PEER-1');
  });

  test('a notification encrypted and signed by the peer implementation verifies and decrypts here', async () => {
    const resource = { stock_id: '9865888', coupon_id: '98674556', status: 'USED', stock_creator_mchid: '9800064' };
    const iv = Formatter.nonce(12);
    const body = JSON.stringify({
      id: 'EV-2018022511223320873',
      create_time: '2015-05-20T13:29:35+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'COUPON.USE',
      summary: '用券成功',
      resource: {
        original_type: 'coupon',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: Aes.AesGcm.encrypt(JSON.stringify(resource), f.apiV3Key, iv, 'coupon'),
        associated_data: 'coupon',
        nonce: iv,
      },
    });
    const ts = `${Formatter.timestamp()}`;
    const nonceStr = Formatter.nonce();
    const headers = {
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonceStr,
      'wechatpay-serial': f.platformSerial,
      'wechatpay-signature': Rsa.sign(Formatter.response(ts, nonceStr, body), f.platformKey),
    };
    const event = (await parseNotification(
      { headers, body },
      { certs: { [f.platformSerial]: f.platformPublicKey }, apiV3Key: f.apiV3Key },
    )) as CouponUseEvent;
    assert.equal(event.resource.coupon_id, '98674556');
  });

  test('a test notification built by this SDK verifies and decrypts under the peer implementation', () => {
    const n = buildTestNotification({
      event_type: 'COUPON.SEND',
      resource: { coupon_code: '202007019999', stock_id: '12312354', send_channel: 'BUSICOUPON_SEND_CHANNEL_API' },
      privateKey: f.platformKey,
      serial: f.platformSerial,
      apiV3Key: f.apiV3Key,
    });
    const h = n.headers;
    const message = Formatter.response(h['Wechatpay-Timestamp'] ?? '', h['Wechatpay-Nonce'] ?? '', n.body);
    assert.ok(Rsa.verify(message, h['Wechatpay-Signature'] ?? '', f.platformPublicKey));
    const { resource } = JSON.parse(n.body) as {
      resource: { ciphertext: string; nonce: string; associated_data: string };
    };
    const plain = Aes.AesGcm.decrypt(resource.ciphertext, f.apiV3Key, resource.nonce, resource.associated_data);
    assert.equal(JSON.parse(plain).coupon_code, '202007019999');
  });

  test('v2 signatures agree in both directions, MD5 and HMAC-SHA256', () => {
    const params = {
      appid: 'wx5edab3bdfba3dc1c',
      mch_id: '10000098',
      nonce_str: 'abc',
      coupon_stock_id: '1757',
      empty: '',
    };
    assert.equal(v2Sign(params, f.apiV2Key), Hash.sign('MD5', params, f.apiV2Key));
    const hmac = { ...params, sign_type: 'HMAC-SHA256' };
    const peerSign = Hash.sign('HMAC-SHA256', hmac, f.apiV2Key);
    assert.ok(v2Verify({ ...hmac, sign: peerSign }, f.apiV2Key));
  });

  test('the peer client and this SDK talk to the same local server', async () => {
    const peer = new PeerWechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKeyPem,
      certs: { [f.platformSerial]: f.platformPublicKeyPem },
      baseURL: server.url,
    });
    const ours = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKeyPem,
      certs: { [f.platformSerial]: f.platformPublicKeyPem },
      baseURL: server.url,
    });
    try {
      // The peer's chain is typed with index signatures, hence the assertions.
      const theirs = await peer.v3!.marketing!.favor!.users!.$openid$!.coupons!.post(sendJson, { openid: 'oPEER' });
      const mine = await ours.v3.marketing.favor.users._openid_.coupons.post({ openid: 'oOURS', json: sendJson });
      assert.equal(theirs.status, 200);
      assert.deepEqual(theirs.data, { coupon_id: 'C-oPEER' });
      assert.deepEqual(mine.data, { coupon_id: 'C-oOURS' });
    } finally {
      ours.close();
    }
  });
});
