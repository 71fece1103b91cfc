import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Wechatpay as PeerWechatpay } from 'wechatpay-axios-plugin';
import type { DemoCredentials } from '../src/index.js';
import { BUSIFAVOR_LIMITS, busifavorStockBody, unique } from './busifavor-helpers.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// wechatpay-axios-plugin, an independent SDK that verifies every 2xx answer itself, drives the 商家券
// APIs over a real socket, including the signed empty 204 of B3 and a DELETE with a query.

describe('wechatpay-axios-plugin against the 商家券 APIs', () => {
  let t: TestPlatform;
  let creds: DemoCredentials;
  // biome-ignore lint/suspicious/noExplicitAny: the peer's chain is typed with index signatures
  let peer: any;

  before(async () => {
    t = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS });
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

  test('it creates, modifies, uploads to, sends from and redeems a stock, verifying every answer', async () => {
    const busifavor = peer.v3.marketing.busifavor;
    const created = await busifavor.stocks.post(busifavorStockBody(creds.mchid, 'MERCHANT_UPLOAD'));
    const stockId = created.data.stock_id as string;
    assert.equal(created.headers['wechatpay-serial'], creds.platformPublicKeyId);

    const modified = await busifavor.stocks.$stock_id$.patch(
      { out_request_no: unique('m'), comment: '互通' },
      { stock_id: stockId },
    );
    assert.equal(modified.status, 204);

    const uploaded = await busifavor.stocks.$stock_id$.couponcodes.post(
      { coupon_code_list: ['PEER-1', 'PEER-2'], upload_request_no: unique('u') },
      { stock_id: stockId },
    );
    assert.equal(uploaded.data.success_count, 2);
    const deleted = await busifavor.stocks.$stock_id$.couponcodes.$coupon_code$.delete({
      stock_id: stockId,
      coupon_code: 'PEER-2',
      params: { delete_request_no: unique('d') },
    });
    assert.equal(deleted.data.stock_id, stockId);

    await t.admin('PUT', `/busifavor/stocks/${stockId}/product`, { product_id: 'SKU-PEER' });
    const sent = await busifavor.productCoupons.send.post({
      stock_id: stockId,
      openid: 'o-peer',
      appid: creds.appid,
      out_request_no: unique('s'),
      coupon_type: 'NORMAL',
    });
    assert.equal(sent.data.coupon_code, 'PEER-1');

    const used = await busifavor.coupons.use.post({
      coupon_code: 'PEER-1',
      stock_id: stockId,
      appid: creds.appid,
      use_time: new Date().toISOString(),
      use_request_no: unique('use'),
    });
    assert.equal(used.data.openid, 'o-peer');

    const got = await busifavor.users.$openid$.coupons.$coupon_code$.appids.$appid$.get({
      openid: 'o-peer',
      coupon_code: 'PEER-1',
      appid: creds.appid,
    });
    assert.equal(got.data.coupon_state, 'USED');
    assert.equal(got.data.comment, '互通');
  });
});
