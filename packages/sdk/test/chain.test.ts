import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { type Middleware, type OutgoingRequest, v3Verifier, Wechatpay } from '../src/index.js';
import { fixtures } from './support/fixtures.js';

// The chain layer alone: a middleware stands in for the network and records what would be sent.

async function recordingClient() {
  const f = await fixtures();
  const seen: OutgoingRequest[] = [];
  const recorder: Middleware = {
    name: 'recorder',
    async handle(req) {
      seen.push(req);
      return { status: 200, headers: { 'request-id': 'R1' }, body: Buffer.from('{}'), data: { ok: true } };
    },
  };
  const wxpay = new Wechatpay({
    mchid: f.mchid,
    serial: f.merchantSerial,
    privateKey: f.merchantKey,
    certs: { [f.platformSerial]: f.platformPublicKey },
    baseURL: 'https://api.example.test/',
    middleware: { v3: [recorder], v2: [recorder] },
  });
  return { wxpay, seen };
}

describe('the chain', () => {
  test('the three path styles send the same request', async () => {
    const { wxpay, seen } = await recordingClient();
    const json = { stock_id: '9856000', out_request_no: 'n1', appid: 'wx1', stock_creator_mchid: '8956000' };
    await wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'oT123', json });
    await wxpay.chain('v3/marketing/favor/users/{openid}/coupons').post({ openid: 'oT123', json });
    await wxpay['v3/marketing/favor/users/{openid}/coupons'].post({ openid: 'oT123', json });
    assert.equal(seen.length, 3);
    for (const req of seen) {
      assert.equal(req.method, 'POST');
      assert.equal(req.url.href, 'https://api.example.test/v3/marketing/favor/users/oT123/coupons');
      assert.equal(req.body?.toString(), JSON.stringify(json));
    }
  });

  test('camelCase segments reach the wire as kebab-case', async () => {
    const { wxpay, seen } = await recordingClient();
    await wxpay.v3.marketing.busifavor.productCoupons.send.post({
      json: { openid: 'o', appid: 'a', stock_id: 's', out_request_no: 'n', coupon_type: 'NORMAL' },
    });
    await wxpay['v3/marketing/busifavor/product-coupons/send'].post({
      json: { openid: 'o', appid: 'a', stock_id: 's', out_request_no: 'n', coupon_type: 'NORMAL' },
    });
    assert.equal(seen[0]?.url.pathname, '/v3/marketing/busifavor/product-coupons/send');
    assert.equal(seen[1]?.url.pathname, '/v3/marketing/busifavor/product-coupons/send');
  });

  test('query, headers and v2 paths are carried through', async () => {
    const { wxpay, seen } = await recordingClient();
    await wxpay.v3.marketing.favor.stocks.get({ query: { offset: 0, limit: 10, stock_creator_mchid: '123' } });
    await wxpay.v2.mmpaymkttransfers.send_coupon.post({
      xml: { coupon_stock_id: '1757', openid_count: 1, partner_trade_no: 'p', openid: 'o', appid: 'wx' },
      security: true,
      headers: { 'X-Trace': 't' },
    });
    assert.equal(seen[0]?.url.search, '?offset=0&limit=10&stock_creator_mchid=123');
    assert.equal(seen[1]?.protocol, 'v2');
    assert.equal(seen[1]?.url.pathname, '/mmpaymkttransfers/send_coupon', 'v2/ is not sent on the wire');
    assert.equal(seen[1]?.security, true);
    assert.equal(seen[1]?.headers['X-Trace'], 't');
    assert.equal(seen[1]?.xml?.['coupon_stock_id'], '1757');
  });

  test('verbs resolve to status, headers, data and requestId', async () => {
    const { wxpay } = await recordingClient();
    const res = await wxpay.chain('v3/some/unknown/path').get();
    assert.deepEqual(res, { status: 200, headers: { 'request-id': 'R1' }, data: { ok: true }, requestId: 'R1' });
  });

  test('no chain node is thenable, so awaiting one does not send anything', async () => {
    const { wxpay, seen } = await recordingClient();
    assert.equal((wxpay as unknown as { then?: unknown }).then, undefined);
    assert.equal((wxpay.v3.marketing as unknown as { then?: unknown }).then, undefined);
    assert.equal((wxpay.chain('v3/x') as unknown as { then?: unknown }).then, undefined);
    const node = await wxpay.v3.marketing.favor;
    assert.equal(typeof node.post, 'function');
    assert.equal(seen.length, 0);
  });

  test('a chain node prints as its path', async () => {
    const { wxpay } = await recordingClient();
    assert.equal(
      inspect(wxpay.v3.marketing.busifavor.productCoupons),
      '[Chain v3/marketing/busifavor/product-coupons]',
    );
  });

  test('the client is an instance of Wechatpay', async () => {
    const { wxpay } = await recordingClient();
    assert.ok(wxpay instanceof Wechatpay);
  });

  test('the default middleware is named, and a step can be replaced by name', async () => {
    const f = await fixtures();
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      baseURL: 'https://api.example.test/',
    });
    assert.deepEqual(
      wxpay.middleware.v3.map((m) => m.name),
      ['v3-verifier', 'v3-signer'],
    );
    assert.deepEqual(
      wxpay.middleware.v2.map((m) => m.name),
      ['v2-xml'],
    );
    const i = wxpay.middleware.v3.findIndex((m) => m.name === 'v3-verifier');
    wxpay.middleware.v3.splice(i, 1, {
      name: 'accept-anything',
      async handle() {
        return { status: 200, headers: {}, body: Buffer.alloc(0), data: 'replaced' };
      },
    });
    const res = await wxpay.chain('v3/anything').get();
    assert.equal(res.data, 'replaced');
    wxpay.close();
  });

  test('a step added with use() runs on every call of its protocol until its handle ejects it', async () => {
    const { wxpay, seen } = await recordingClient();
    const marked: string[] = [];
    const marker: Middleware = {
      name: 'marker',
      async handle(req, next) {
        marked.push(req.url.pathname);
        return next(req);
      },
    };
    // The recorder answers without calling on, so a step after it would never run: put the marker first.
    const [recorder] = wxpay.middleware.v3;
    assert.ok(recorder);
    wxpay.eject('v3', recorder);
    const handle = wxpay.use('v3', marker, recorder);
    assert.deepEqual(
      wxpay.middleware.v3.map((m) => m.name),
      ['marker', 'recorder'],
    );
    await wxpay.chain('v3/one').get();
    handle.eject();
    assert.deepEqual(wxpay.middleware.v3, []);
    wxpay.use('v3', recorder);
    await wxpay.chain('v3/two').get();
    assert.deepEqual(marked, ['/v3/one']);
    assert.deepEqual(
      seen.map((r) => r.url.pathname),
      ['/v3/one', '/v3/two'],
    );
    assert.deepEqual(
      wxpay.middleware.v2.map((m) => m.name),
      ['recorder'],
      'v2 is untouched',
    );
    wxpay.close();
  });

  test('the certificate download leaves out the configured verifier by identity, not by name', async () => {
    const f = await fixtures();
    const unsigned: Middleware = {
      name: 'unsigned-answer',
      async handle() {
        return { status: 200, headers: {}, body: Buffer.from('{"data":[]}') };
      },
    };
    const client = (verifier: Middleware) =>
      new Wechatpay({
        mchid: f.mchid,
        serial: f.merchantSerial,
        privateKey: f.merchantKey,
        apiV3Key: f.apiV3Key,
        baseURL: 'https://api.example.test/',
        middleware: { v3: [verifier, unsigned] },
      });
    // Left out, the download itself checks the answer, as the certificate list.
    const verifier = v3Verifier({ certs: new Map() });
    const own = client(verifier);
    await assert.rejects(own.downloadCertificates(), /certificate list has no Wechatpay-Timestamp/);
    own.close();
    // A step that only bears the verifier's name is a step like any other, and runs.
    const lookalike = client({ ...verifier, name: 'v3-verifier' });
    await assert.rejects(lookalike.downloadCertificates(), /response to GET \/v3\/certificates has no/);
    lookalike.close();
  });
});
