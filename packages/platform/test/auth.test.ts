import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  aesGcmDecrypt,
  authorization,
  certificateSerial,
  loadPublicKey,
  nonce,
  requestMessage,
  rsaSign,
  timestamp,
} from '@wxcoupon/sdk/crypto';
import { addMerchant, sdkFor } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

describe('APIv3 authentication and response signing', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(() => t.close());

  const sendPath = '/v3/marketing/favor/users/o-auth/coupons';
  const sendBody = () =>
    JSON.stringify({
      stock_id: t.platform.credentials.favorStockId,
      out_request_no: `auth-${Math.random().toString(36).slice(2)}`,
      appid: t.platform.credentials.appid,
      stock_creator_mchid: t.platform.credentials.mchid,
    });

  async function couponCount(): Promise<number> {
    const r = await t.platform.context.db
      .selectFrom('favor_coupons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  test('a correctly signed request is answered 200 with a verifiable signature and a Request-ID', async () => {
    const res = await t.client.post(sendPath, sendBody());
    assert.equal(res.status, 200);
    assert.equal(res.signed, true);
    assert.ok(res.headers.get('request-id'));
    assert.equal(res.headers.get('wechatpay-signature-type'), 'WECHATPAY2-SHA256-RSA2048');
  });

  test('the Authorization parameters are accepted in any order', async () => {
    const body = sendBody();
    const o = t.client.options;
    const ts = timestamp();
    const n = nonce();
    const signature = rsaSign(requestMessage('POST', sendPath, ts, n, body), o.privateKey);
    const reversed = `WECHATPAY2-SHA256-RSA2048 signature="${signature}",serial_no="${o.serial}",timestamp="${ts}",nonce_str="${n}",mchid="${o.mchid}"`;
    const res = await t.client.request('POST', sendPath, body, { authorization: reversed, timestamp: ts });
    assert.equal(res.status, 200, res.text);
  });

  const rejected: Array<[string, (body: string) => Promise<import('./helpers/signed-fetch.js').SignedResponse>]> = [
    ['a missing Authorization header', (b) => t.client.request('POST', sendPath, b, { authorization: '' })],
    ['another scheme', (b) => t.client.request('POST', sendPath, b, { authorization: 'Bearer abc' })],
    [
      'a wrong signature',
      (b) =>
        t.client.request('POST', sendPath, b, { signature: rsaSign('something else', t.client.options.privateKey) }),
    ],
    ['a signature that is not base64', (b) => t.client.request('POST', sendPath, b, { signature: '!!!' })],
    [
      'a timestamp 301 s in the past',
      (b) => t.client.request('POST', sendPath, b, { timestamp: String(Math.floor(Date.now() / 1000) - 301) }),
    ],
    [
      'a timestamp 301 s in the future',
      (b) => t.client.request('POST', sendPath, b, { timestamp: String(Math.floor(Date.now() / 1000) + 301) }),
    ],
    ['an unknown mchid', (b) => t.client.with({ mchid: '1999999999' }).post(sendPath, b)],
    ['an unknown serial', (b) => t.client.with({ serial: 'ABCDEF0123456789' }).post(sendPath, b)],
    [
      'a body changed after signing',
      async (b) => {
        const o = t.client.options;
        const ts = timestamp();
        const n = nonce();
        const signature = rsaSign(requestMessage('POST', sendPath, ts, n, b), o.privateKey);
        const auth = authorization({ mchid: o.mchid, nonce_str: n, timestamp: ts, serial_no: o.serial, signature });
        return t.client.request('POST', sendPath, b.replace('auth-', 'evil-'), { authorization: auth });
      },
    ],
  ];
  for (const [what, call] of rejected) {
    test(`${what} is 401 SIGN_ERROR, unsigned, with a Request-ID and no coupon issued`, async () => {
      const before = await couponCount();
      const res = await call(sendBody());
      assert.equal(res.status, 401);
      assert.equal(res.data.code, 'SIGN_ERROR');
      assert.equal(res.signed, false);
      assert.ok(res.headers.get('request-id'));
      assert.equal(await couponCount(), before);
    });
  }

  test('a request signed with another merchant’s key under this merchant’s serial is refused', async () => {
    const other = await addMerchant(t.platform, t.admin, 'wx-auth-other');
    const m = await t.admin('GET', '/merchants');
    const otherSerial = m.data.data.find((x: { mchid: string }) => x.mchid === other.mchid).serials[0];
    const res = await t.client.with({ serial: otherSerial }).post(sendPath, sendBody());
    assert.equal(res.status, 401);
  });

  test('errors carry {code, message, detail} and no Wechatpay-* headers', async () => {
    const res = await t.client.post(sendPath, { stock_id: 'x' });
    assert.equal(res.status, 400);
    assert.equal(res.data.code, 'PARAM_ERROR');
    assert.equal(typeof res.data.message, 'string');
    assert.equal(res.data.detail.field, '/out_request_no');
    assert.equal(res.data.detail.location, 'body');
    for (const h of ['wechatpay-signature', 'wechatpay-serial', 'wechatpay-nonce', 'wechatpay-timestamp'])
      assert.equal(res.headers.get(h), null);
  });

  test('an unknown path is 404 with an empty body and a Request-ID', async () => {
    const res = await t.client.get('/v3/marketing/no-such-thing');
    assert.equal(res.status, 404);
    assert.equal(res.text, '');
    assert.ok(res.headers.get('request-id'));
  });

  test('a body over 1 MiB is refused with PARAM_ERROR, in-process and over a socket', async () => {
    const big = JSON.stringify({ stock_id: 'x'.repeat(1024 * 1024 + 10) });
    const inProcess = await t.client.post(sendPath, big);
    assert.equal(inProcess.status, 400);
    assert.equal(inProcess.data.code, 'PARAM_ERROR');
    const { url } = await t.platform.listen({ host: '127.0.0.1', port: 0, tlsPort: false });
    const overSocket = await t.client.with({ fetch: (req) => fetch(req), baseURL: url }).post(sendPath, big);
    assert.equal(overSocket.status, 400);
    assert.equal(overSocket.data.code, 'PARAM_ERROR');
    const small = await t.client.with({ fetch: (req) => fetch(req), baseURL: url }).post(sendPath, sendBody());
    assert.equal(small.status, 200);
    assert.equal(small.signed, true);
  });

  test('a body that is not JSON is PARAM_ERROR', async () => {
    const res = await t.client.post(sendPath, '{"stock_id":');
    assert.equal(res.status, 400);
    assert.equal(res.data.code, 'PARAM_ERROR');
  });

  test('Wechatpay-Serial selects the certificate key, and GET /v3/certificates delivers that certificate encrypted with the APIv3 key', async () => {
    const c = t.platform.credentials;
    const res = await t.client.get('/v3/certificates');
    assert.equal(res.status, 200);
    const item = res.data.data[0];
    assert.equal(item.encrypt_certificate.associated_data, 'certificate');
    assert.equal(item.encrypt_certificate.algorithm, 'AEAD_AES_256_GCM');
    const pem = aesGcmDecrypt(
      item.encrypt_certificate.ciphertext,
      c.apiV3Key,
      item.encrypt_certificate.nonce,
      'certificate',
    );
    assert.equal(certificateSerial(pem), item.serial_no);
    const byCert = t.client.with({
      platformKeys: { [item.serial_no]: loadPublicKey(pem) },
      wechatpaySerial: item.serial_no,
    });
    const signed = await byCert.get(`/v3/marketing/favor/stocks/${c.favorStockId}?stock_creator_mchid=${c.mchid}`);
    assert.equal(signed.status, 200);
    assert.equal(signed.headers.get('wechatpay-serial'), item.serial_no);
    assert.equal(signed.signed, true);
    const byKey = await t.client.get(`/v3/marketing/favor/stocks/${c.favorStockId}?stock_creator_mchid=${c.mchid}`);
    assert.equal(byKey.headers.get('wechatpay-serial'), c.platformPublicKeyId);
    assert.match(c.platformPublicKeyId, /^PUB_KEY_ID_\d+$/);
  });

  test('without a key named in Wechatpay-Serial, a merchant with both keys is answered by the certificate, as on the real service', async () => {
    const keys = t.platform.context.keys;
    const both = { [keys.certificate.id]: keys.certificate.publicKey, [keys.publicKey.id]: keys.publicKey.publicKey };
    const serialOf = async (client: typeof t.client) => {
      const res = await client.get(
        `/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${client.options.mchid}`,
      );
      assert.equal(res.signed, true, `${res.status} ${res.text}`);
      return res.headers.get('wechatpay-serial');
    };
    // The demo merchant has both keys: no header or an unknown one → certificate; the public key on request.
    const demo = t.client.with({ platformKeys: both });
    assert.equal(await serialOf(demo.with({ wechatpaySerial: null })), keys.certificate.id);
    assert.equal(await serialOf(demo.with({ wechatpaySerial: 'NOT-A-KEY' })), keys.certificate.id);
    assert.equal(await serialOf(demo.with({ wechatpaySerial: keys.publicKey.id })), keys.publicKey.id);
    // One key only: that key, whatever the request names.
    for (const [mode, expected] of [
      ['public_key', keys.publicKey.id],
      ['certificate', keys.certificate.id],
    ] as const) {
      const created = await t.admin('POST', '/merchants', { platform_key_mode: mode });
      const client = demo.with({
        mchid: created.data.mchid,
        serial: created.data.serial,
        privateKey: (await import('node:crypto')).createPrivateKey(created.data.private_key),
      });
      for (const named of [null, keys.certificate.id, keys.publicKey.id]) {
        assert.equal(await serialOf(client.with({ wechatpaySerial: named })), expected, `${mode}, named ${named}`);
      }
    }
  });

  test('a merchant in public-key mode gets 404 RESOURCE_NOT_EXISTS from /v3/certificates and public-key signatures only', async () => {
    const created = await t.admin('POST', '/merchants', { platform_key_mode: 'public_key' });
    const c = t.platform.credentials;
    const client = t.client.with({
      mchid: created.data.mchid,
      serial: created.data.serial,
      privateKey: (await import('node:crypto')).createPrivateKey(created.data.private_key),
      wechatpaySerial: t.platform.context.keys.certificate.id,
    });
    const res = await client.get('/v3/certificates');
    assert.equal(res.status, 404);
    assert.equal(res.data.code, 'RESOURCE_NOT_EXISTS');
    const listed = await client.get(
      `/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${created.data.mchid}`,
    );
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('wechatpay-serial'), c.platformPublicKeyId);
  });

  test('the SDK verifies responses signed either way', async () => {
    const c = t.platform.credentials;
    const wxpay = sdkFor(c, {
      fetch: t.platform.fetch,
      certs: { [t.platform.context.keys.certificate.id]: readFileSync(`${t.dataDir}/demo/platform_cert.pem`) },
    });
    const res = await wxpay.request('GET', 'v3/marketing/favor/stocks/{stock_id}', {
      stock_id: c.favorStockId,
      query: { stock_creator_mchid: c.mchid },
    });
    assert.equal(res.status, 200);
  });

  test('the admin API refuses requests without its token', async () => {
    const res = await t.platform.fetch(new Request('http://platform.test/admin/merchants'));
    assert.equal(res.status, 401);
    const wrong = await t.platform.fetch(
      new Request('http://platform.test/admin/merchants', { headers: { Authorization: 'Bearer nope' } }),
    );
    assert.equal(wrong.status, 401);
    assert.ok(wrong.headers.get('request-id'));
  });
});
