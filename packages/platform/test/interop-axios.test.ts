import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Wechatpay as PeerWechatpay } from 'wechatpay-axios-plugin';
import type { DemoCredentials } from '../src/index.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// wechatpay-axios-plugin, an independent WeChat Pay SDK, against a running platform with the demo
// credentials read from credentials.json, its own response verification on (it throws on a bad
// or missing signature of a 2xx).

describe('wechatpay-axios-plugin against the platform', () => {
  let t: TestPlatform;
  let creds: DemoCredentials;
  // biome-ignore lint/suspicious/noExplicitAny: the peer's chain is typed with index signatures
  let peer: any;

  before(async () => {
    t = await startTestPlatform();
    await t.platform.listen({ host: '127.0.0.1', port: 0 });
    creds = JSON.parse(readFileSync(`${t.dataDir}/demo/credentials.json`, 'utf8')) as DemoCredentials;
    peer = new PeerWechatpay({
      mchid: creds.mchid,
      serial: creds.serial,
      privateKey: readFileSync(creds.privateKeyFile, 'utf8'),
      certs: { [creds.platformPublicKeyId]: readFileSync(creds.platformPublicKeyFile, 'utf8') },
      baseURL: `${creds.baseURL}/`,
      // It sends no Wechatpay-Serial of its own; a merchant that has both platform keys asks for the
      // public key's answers this way, as on the real service.
      headers: { 'Wechatpay-Serial': creds.platformPublicKeyId },
    });
  });
  after(() => t.close());

  test('it sends, re-sends and queries a coupon, verifying every response', async () => {
    const json = {
      stock_id: creds.favorStockId,
      out_request_no: 'axios-1',
      appid: creds.appid,
      stock_creator_mchid: creds.mchid,
    };
    const sent = await peer.v3.marketing.favor.users.$openid$.coupons.post(json, { openid: 'o-axios' });
    assert.equal(sent.status, 200);
    assert.match(sent.data.coupon_id, /^\d+$/);
    assert.equal(sent.headers['wechatpay-serial'], creds.platformPublicKeyId);

    const again = await peer.v3.marketing.favor.users.$openid$.coupons.post(json, { openid: 'o-axios' });
    assert.equal(again.data.coupon_id, sent.data.coupon_id);

    const got = await peer.v3.marketing.favor.users.$openid$.coupons.$coupon_id$.get({
      params: { appid: creds.appid },
      openid: 'o-axios',
      coupon_id: sent.data.coupon_id,
    });
    assert.equal(got.data.coupon_id, sent.data.coupon_id);
    assert.equal(got.data.status, 'SENDED');

    const stock = await peer.v3.marketing.favor.stocks.$stock_id$.get({
      params: { stock_creator_mchid: creds.mchid },
      stock_id: creds.favorStockId,
    });
    assert.equal(stock.data.distributed_coupons, 1);
  });

  test('its business errors arrive as WeChat error bodies', async () => {
    const json = {
      stock_id: '1234567890',
      out_request_no: 'axios-2',
      appid: creds.appid,
      stock_creator_mchid: creds.mchid,
    };
    await assert.rejects(
      peer.v3.marketing.favor.users.$openid$.coupons.post(json, { openid: 'o-axios' }),
      (err: { response: { status: number; data: { code: string } } }) => {
        assert.equal(err.response.status, 404);
        assert.equal(err.response.data.code, 'RESOURCE_NOT_EXISTS');
        return true;
      },
    );
  });

  test('its verification fails when it trusts another key, proving verification is on', async () => {
    const { publicKeyPem } = await import('@wxcoupon/sdk/pki').then((m) => m.generateRsaKeyPair());
    const wrong = new PeerWechatpay({
      mchid: creds.mchid,
      serial: creds.serial,
      privateKey: readFileSync(creds.privateKeyFile, 'utf8'),
      certs: { [creds.platformPublicKeyId]: publicKeyPem },
      baseURL: `${creds.baseURL}/`,
      // It sends no Wechatpay-Serial of its own; a merchant that has both platform keys asks for the
      // public key's answers this way, as on the real service.
      headers: { 'Wechatpay-Serial': creds.platformPublicKeyId },
    });
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: the peer's chain is typed with index signatures
      (wrong as any).v3.marketing.favor.stocks.$stock_id$.get({
        params: { stock_creator_mchid: creds.mchid },
        stock_id: creds.favorStockId,
      }),
      (err: { code?: string }) => err.code === 'EV3_RES_HEADER_SIGNATURE_DIGEST',
    );
  });

  test('without Wechatpay-Serial the answer comes from the platform certificate, which it verifies', async () => {
    const certificate = t.platform.context.keys.certificate;
    const legacy = new PeerWechatpay({
      mchid: creds.mchid,
      serial: creds.serial,
      privateKey: readFileSync(creds.privateKeyFile, 'utf8'),
      certs: { [certificate.id]: certificate.certificatePem ?? '' },
      baseURL: `${creds.baseURL}/`,
    });
    // biome-ignore lint/suspicious/noExplicitAny: the peer's chain is typed with index signatures
    const stock = await (legacy as any).v3.marketing.favor.stocks.$stock_id$.get({
      params: { stock_creator_mchid: creds.mchid },
      stock_id: creds.favorStockId,
    });
    assert.equal(stock.headers['wechatpay-serial'], certificate.id);
    assert.equal(stock.data.stock_id, creds.favorStockId);
  });
});
