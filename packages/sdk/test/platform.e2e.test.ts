import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { conforming } from '../../platform/test/helpers/conformance.js';
import { ApiError, ENDPOINT_KEYS, V2Error, Wechatpay } from '../src/index.js';

// End to end against the project's own WeChat Pay look-alike: in-process through its fetch handler,
// and over real sockets (HTTP, and HTTPS with mutual TLS for APIv2).

let dir: string;
let platform: Platform;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sdk-e2e-'));
  platform = await createPlatform({ dataDir: dir, log: () => {} });
  // Every answer is held to the platform's API document, as in the platform's own tests.
  platform.fetch = conforming(platform.fetch);
});

after(async () => {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(extra: Partial<ConstructorParameters<typeof Wechatpay>[0]> = {}) {
  const c = platform.credentials;
  return new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: readFileSync(c.privateKeyFile),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
    secret: c.apiV2Key,
    apiV3Key: c.apiV3Key,
    merchant: { cert: readFileSync(c.certificateFile), key: readFileSync(c.privateKeyFile) },
    baseURL: c.baseURL,
    ...extra,
  });
}

const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

describe('against the wxcoupon platform', () => {
  test('a favor coupon sent in-process can be read back', async () => {
    const c = platform.credentials;
    const wxpay = client({ fetch: platform.fetch });
    const sent = await wxpay.v3.marketing.favor.users._openid_.coupons.post({
      openid,
      json: {
        stock_id: c.favorStockId,
        out_request_no: `e2e${Date.now()}`,
        appid: c.appid,
        stock_creator_mchid: c.mchid,
      },
    });
    assert.equal(sent.status, 200);
    assert.match(sent.data.coupon_id, /^\d+$/);
    const coupon = await wxpay.v3.marketing.favor.users._openid_.coupons._coupon_id_.get({
      openid,
      coupon_id: sent.data.coupon_id,
      query: { appid: c.appid },
    });
    assert.equal(coupon.data.coupon_id, sent.data.coupon_id);
    assert.equal(coupon.data.stock_id, c.favorStockId);
    assert.equal(coupon.data.status, 'SENDED');
  });

  test('the same out_request_no returns the same coupon', async () => {
    const c = platform.credentials;
    const wxpay = client({ fetch: platform.fetch });
    const json = {
      stock_id: c.favorStockId,
      out_request_no: `again${Date.now()}`,
      appid: c.appid,
      stock_creator_mchid: c.mchid,
    };
    const first = await wxpay.chain('v3/marketing/favor/users/{openid}/coupons').post({ openid, json });
    const second = await wxpay['v3/marketing/favor/users/{openid}/coupons'].post({ openid, json });
    assert.equal(second.data.coupon_id, first.data.coupon_id);
  });

  test('an unknown stock is an ApiError carrying the platform error code', async () => {
    const c = platform.credentials;
    const wxpay = client({ fetch: platform.fetch });
    await assert.rejects(
      wxpay.v3.marketing.favor.users._openid_.coupons.post({
        openid,
        json: {
          stock_id: '404404404',
          out_request_no: `nf${Date.now()}`,
          appid: c.appid,
          stock_creator_mchid: c.mchid,
        },
      }),
      (err: unknown) => err instanceof ApiError && err.status === 404 && err.code === 'RESOURCE_NOT_EXISTS',
    );
  });

  test('over sockets: APIv3 on HTTP, and APIv2 send_coupon with the merchant certificate on HTTPS', async () => {
    const { url } = await platform.listen({ host: '127.0.0.1', port: 0, tlsPort: 0 });
    const c = platform.credentials;
    const v3 = client({ baseURL: url });
    const tlsBaseURL = c['tlsBaseURL'];
    assert.ok(tlsBaseURL, 'the platform reports its HTTPS address');
    const v2 = client({ baseURL: tlsBaseURL, ca: readFileSync(c['caCertificateFile'] as string) });
    try {
      const sent = await v3.v3.marketing.favor.users._openid_.coupons.post({
        openid,
        json: {
          stock_id: c.favorStockId,
          out_request_no: `sock${Date.now()}`,
          appid: c.appid,
          stock_creator_mchid: c.mchid,
        },
      });
      assert.match(sent.data.coupon_id, /^\d+$/);
      const xml = {
        coupon_stock_id: c.favorStockId,
        openid_count: 1,
        partner_trade_no: `${c.mchid}${Date.now()}`,
        openid,
        appid: c.appid,
      };
      const res = await v2.v2.mmpaymkttransfers.send_coupon.post({ xml, security: true });
      assert.equal(res.data.result_code, 'SUCCESS');
      assert.match(res.data.coupon_id, /^\d+$/);
      // Without the certificate the platform refuses at the communication layer, as WeChat Pay does.
      await assert.rejects(v2.v2.mmpaymkttransfers.send_coupon.post({ xml }), (err: unknown) => {
        return err instanceof V2Error && err.returnCode === 'FAIL';
      });
    } finally {
      v3.close();
      v2.close();
    }
  });

  test('the platform routes every endpoint of the SDK map it claims to serve', async (t) => {
    // Served by WeChat Pay but not (yet) by the platform; reported rather than asserted.
    const notServed = new Set([
      'GET /v3/marketing/favor/stocks/{stock_id}/merchants',
      'GET /v3/marketing/favor/stocks/{stock_id}/items',
      'GET /v3/marketing/favor/stocks/{stock_id}/use-flow',
      'GET /v3/marketing/favor/stocks/{stock_id}/refund-flow',
      'POST /v3/marketing/busifavor/product-coupons/pre-send',
    ]);
    const c = platform.credentials;
    const wxpay = client({ fetch: platform.fetch });
    const vars = { stock_id: '1', openid: 'o', coupon_id: '1', coupon_code: 'c', appid: c.appid };
    const unrouted: string[] = [];
    for (const key of ENDPOINT_KEYS) {
      const [method, path] = key.split(' ') as [string, string];
      const body = method === 'GET' || method === 'DELETE' ? {} : path.startsWith('/v2/') ? { xml: {} } : { json: {} };
      try {
        await wxpay.request(method, path, { ...vars, ...body });
      } catch (err) {
        // A route that exists answers with a WeChat error body; an unknown one with an empty 404.
        if (err instanceof ApiError && (err.code === 'HTTP_404' || err.status === 405)) unrouted.push(key);
        else assert.ok(err instanceof ApiError || err instanceof V2Error, `${key}: ${String(err)}`);
      }
    }
    const gaps = unrouted.filter((k) => notServed.has(k));
    if (gaps.length) t.diagnostic(`not served by the platform yet: ${gaps.join('; ')}`);
    assert.deepEqual(
      unrouted.filter((k) => !notServed.has(k)),
      [],
    );
  });
});
