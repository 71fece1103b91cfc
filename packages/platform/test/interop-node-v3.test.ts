import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import Pay from 'wechatpay-node-v3';
import { PayRequest } from 'wechatpay-node-v3/dist/lib/pay-request.js';
import type { DemoCredentials } from '../src/index.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// wechatpay-node-v3, an independent SDK that knows only certificate mode and sends no Wechatpay-Serial,
// against a running platform with the demo credentials. Its own code does every protocol step: it reads
// the merchant serial out of the API certificate, signs requests, downloads GET /v3/certificates,
// decrypts them with the APIv3 key, parses the X.509 certificate and verifies answers with its key.
// It addresses https://api.mch.weixin.qq.com; only the transport is pointed at the platform.

const WECHAT = 'https://api.mch.weixin.qq.com';

/** Members its type declarations mark protected, which its methods use to sign every request. */
interface PeerSigning {
  serial_no: string;
  buildAuthorization(method: string, url: string, body?: object): string;
  getHeaders(authorization: string, headers?: Record<string, string>): Record<string, string>;
}

describe('wechatpay-node-v3 against the platform', () => {
  let t: TestPlatform;
  let creds: DemoCredentials;
  let peer: Pay;
  let signing: PeerSigning;

  before(async () => {
    t = await startTestPlatform();
    await t.platform.listen({ host: '127.0.0.1', port: 0 });
    creds = JSON.parse(readFileSync(`${t.dataDir}/demo/credentials.json`, 'utf8')) as DemoCredentials;
    peer = new Pay({
      appid: creds.appid,
      mchid: creds.mchid,
      publicKey: readFileSync(creds.certificateFile),
      privateKey: readFileSync(creds.privateKeyFile),
      key: creds.apiV3Key,
    });
    signing = peer as unknown as PeerSigning;
    // Its own HTTP client (superagent), with WeChat's host swapped for the platform's.
    const http = new PayRequest();
    const local = (url: string) => url.replace(WECHAT, creds.baseURL);
    peer.createHttp({
      get: (url: string, headers: object) => http.get(local(url), headers),
      post: (url: string, params: object, headers: object) => http.post(local(url), params, headers),
      upload: (url: string, params: object, headers: object) => http.upload(local(url), params, headers),
    });
  });
  after(() => t.close());

  /** A request signed by the peer, sent as it sends it, with the answer's raw text and headers. */
  async function call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>) {
    const authorization = signing.buildAuthorization(method, `${WECHAT}${path}`, body);
    const headers = signing.getHeaders(authorization, body ? { 'Content-Type': 'application/json' } : {});
    const res = await fetch(`${creds.baseURL}${path}`, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** The peer's verification of an answer: certificates fetched and decrypted on first use. */
  function peerVerifies(res: { headers: Headers; text: string }, text = res.text) {
    return peer.verifySign({
      timestamp: res.headers.get('wechatpay-timestamp') ?? '',
      nonce: res.headers.get('wechatpay-nonce') ?? '',
      serial: res.headers.get('wechatpay-serial') ?? '',
      signature: res.headers.get('wechatpay-signature') ?? '',
      body: text,
      apiSecret: creds.apiV3Key,
    });
  }

  test('it reads the merchant serial out of the API certificate the platform issued', () => {
    assert.equal(signing.serial_no.toUpperCase(), creds.serial);
  });

  test('it downloads and decrypts the platform certificate', async () => {
    const list = (await peer.get_certificates(creds.apiV3Key)) as Array<{ serial_no: string; publicKey: string }>;
    assert.equal(list.length, 1);
    assert.match(list[0]?.serial_no ?? '', /^[0-9A-F]{40}$/);
    assert.match(list[0]?.publicKey ?? '', /BEGIN PUBLIC KEY/);
  });

  test('it sends, re-sends and queries a coupon; every answer is certificate-signed and verifies under its code', async () => {
    const json = {
      stock_id: creds.favorStockId,
      out_request_no: 'node-v3-1',
      appid: creds.appid,
      stock_creator_mchid: creds.mchid,
    };
    const sent = await call('POST', '/v3/marketing/favor/users/o-node-v3/coupons', json);
    assert.equal(sent.status, 200, sent.text);
    // No Wechatpay-Serial in the request: the merchant's answers come from the platform certificate,
    // as the real service answers a merchant that has both keys.
    assert.match(sent.headers.get('wechatpay-serial') ?? '', /^[0-9A-F]{40}$/);
    assert.equal(await peerVerifies(sent), true);
    const couponId = (JSON.parse(sent.text) as { coupon_id: string }).coupon_id;

    const again = await call('POST', '/v3/marketing/favor/users/o-node-v3/coupons', json);
    assert.equal((JSON.parse(again.text) as { coupon_id: string }).coupon_id, couponId);
    assert.equal(await peerVerifies(again), true);

    const got = await call('GET', `/v3/marketing/favor/users/o-node-v3/coupons/${couponId}?appid=${creds.appid}`);
    assert.equal(got.status, 200, got.text);
    assert.equal((JSON.parse(got.text) as { status: string }).status, 'SENDED');
    assert.equal(await peerVerifies(got), true);
  });

  test('its verification fails on a changed body, so it is really checking', async () => {
    const res = await call(
      'GET',
      `/v3/marketing/favor/stocks/${creds.favorStockId}?stock_creator_mchid=${creds.mchid}`,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(await peerVerifies(res), true);
    assert.equal(await peerVerifies(res, res.text.replace('"status":"running"', '"status":"paused"')), false);
  });

  test('a request it signed for another body is 401 SIGN_ERROR', async () => {
    const body = { stock_id: creds.favorStockId, out_request_no: 'node-v3-2', appid: creds.appid };
    const authorization = signing.buildAuthorization('POST', `${WECHAT}/v3/marketing/favor/users/o-x/coupons`, body);
    const res = await fetch(`${creds.baseURL}/v3/marketing/favor/users/o-x/coupons`, {
      method: 'POST',
      headers: signing.getHeaders(authorization, { 'Content-Type': 'application/json' }),
      body: JSON.stringify({ ...body, stock_creator_mchid: creds.mchid }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'SIGN_ERROR');
  });
});
