import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  ApiError,
  NetworkError,
  parseAuthorization,
  requestMessage,
  rsaVerify,
  TimeoutError,
  VerificationError,
  Wechatpay,
  WechatpayError,
} from '../src/index.js';
import { type Fixtures, fixtures } from './support/fixtures.js';
import { type ServerReply, type SigningServer, startSigningServer } from './support/signing-server.js';

// The client against a local server that verifies request signatures and signs its answers.

let f: Fixtures;
let server: SigningServer;
let next: ServerReply | ((path: string) => ServerReply) = { json: {} };
let wxpay: InstanceType<typeof Wechatpay>;

before(async () => {
  f = await fixtures();
  server = await startSigningServer({
    ...f,
    handler: (req) => (typeof next === 'function' ? next(req.path) : next),
  });
  wxpay = new Wechatpay({
    mchid: f.mchid,
    serial: f.merchantSerial,
    privateKey: f.merchantKeyPem,
    certs: { [f.platformSerial]: f.platformPublicKeyPem },
    baseURL: server.url,
  });
});

after(async () => {
  wxpay.close();
  await server.close();
});

const sendJson = {
  stock_id: '9856000',
  out_request_no: '89560002019101000121',
  appid: 'wx233544546545989',
  stock_creator_mchid: '8956000',
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('APIv3 requests', () => {
  test('a favor send is signed over the exact bytes, and its signed answer is parsed', async () => {
    next = { json: { coupon_id: '9867041' } };
    const res = await wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'oT123', json: sendJson });
    assert.equal(res.status, 200);
    assert.equal(res.data.coupon_id, '9867041');
    assert.match(res.requestId ?? '', /^REQ-/);
    const seen = server.requests.at(-1)!;
    assert.equal(seen.url, '/v3/marketing/favor/users/oT123/coupons');
    assert.equal(seen.body, JSON.stringify(sendJson));
    const auth = parseAuthorization(seen.headers.authorization)!;
    assert.equal(auth.mchid, f.mchid);
    assert.equal(auth.serial_no, f.merchantSerial);
    assert.ok(
      rsaVerify(
        requestMessage('POST', seen.url, auth.timestamp, auth.nonce_str, seen.body),
        auth.signature,
        f.merchantPublicKey,
      ),
    );
  });

  test('every request carries Accept, Content-Type, User-Agent and the expected Wechatpay-Serial', async () => {
    next = { json: { total_count: 0, limit: 10, offset: 0 } };
    await wxpay.v3.marketing.favor.stocks.get({ query: { offset: 0, limit: 10, stock_creator_mchid: '8956000' } });
    const seen = server.requests.at(-1)!;
    assert.equal(seen.url, '/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=8956000');
    assert.equal(seen.headers['wechatpay-serial'], f.platformSerial);
    assert.equal(seen.headers.accept, 'application/json');
    assert.match(seen.headers['user-agent'] ?? '', /wxcoupon-sdk/);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.body, '', 'a GET is signed over an empty body');
  });

  test('a query with RFC 3339 times and non-ASCII text is signed exactly as it is sent', async () => {
    next = { json: { total_count: 0, limit: 10, offset: 0 } };
    const res = await wxpay.v3.marketing.favor.stocks.get({
      query: {
        offset: 0,
        limit: 10,
        stock_creator_mchid: '8956000',
        create_start_time: '2026-01-01T00:00:00+08:00',
        status: '运行中 running',
      },
    });
    assert.equal(res.status, 200, 'the server verified the signature over the encoded query');
    assert.match(server.requests.at(-1)?.url ?? '', /create_start_time=2026-01-01T00%3A00%3A00%2B08%3A00/);
  });

  test('a 204 answer is verified over an empty body and has no data', async () => {
    next = { status: 204 };
    const res = await wxpay.v3.marketing.busifavor.stocks._stock_id_.patch({
      stock_id: '1212',
      json: { out_request_no: 'm1', comment: 'x' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.data, undefined);
  });

  test('an unsigned error answer becomes an ApiError with code, message, detail and requestId', async () => {
    next = {
      status: 400,
      unsigned: true,
      headers: { 'Request-ID': '08E68E97CC0610DF0618AC86BCA80120082880CF05-268578704' },
      json: {
        code: 'PARAM_ERROR',
        message: '批次号必填',
        detail: { field: '/stock_id', location: 'body', issue: 'required' },
      },
    };
    const err = await rejection(wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'o', json: sendJson }));
    assert.ok(err instanceof ApiError && err instanceof WechatpayError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'PARAM_ERROR');
    assert.equal(err.message.includes('批次号必填'), true);
    assert.equal(err.detail?.field, '/stock_id');
    assert.equal(err.requestId, '08E68E97CC0610DF0618AC86BCA80120082880CF05-268578704');
  });

  test('an empty 404 still becomes an ApiError', async () => {
    next = { status: 404, unsigned: true };
    const err = await rejection(
      wxpay.v3.marketing.favor.stocks._stock_id_.get({ stock_id: 'nope', query: { stock_creator_mchid: '1' } }),
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 404);
  });

  test('a request the server cannot verify comes back as 401 SIGN_ERROR', async () => {
    const impostor = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.otherKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      baseURL: server.url,
    });
    try {
      const err = await rejection(impostor.v3.marketing.favor.callbacks.get({ query: { mchid: f.mchid } }));
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'SIGN_ERROR');
    } finally {
      impostor.close();
    }
  });
});

describe('APIv3 response verification', () => {
  const call = () => wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'o', json: sendJson });

  async function refused(reply: ServerReply, reason: string, header?: string): Promise<VerificationError> {
    next = reply;
    const err = await rejection(call());
    assert.ok(err instanceof VerificationError, `expected a VerificationError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    if (header) assert.equal(err.header, header);
    return err;
  }

  test('a tampered body is refused, and the message asks about the raw body', async () => {
    const err = await refused({ json: { coupon_id: '9867041' }, tamper: true }, 'BAD_SIGNATURE', 'Wechatpay-Signature');
    assert.match(err.message, /raw body/);
    assert.equal(err.serial, f.platformSerial);
  });

  test('a stale timestamp is refused as clock skew', async () => {
    const err = await refused({ json: { coupon_id: '1' }, timestampOffset: -301 }, 'CLOCK_SKEW', 'Wechatpay-Timestamp');
    assert.match(err.message, /clock skew/);
  });

  test('a timestamp from the future is refused too', async () => {
    await refused({ json: { coupon_id: '1' }, timestampOffset: 400 }, 'CLOCK_SKEW');
  });

  test('a signature from an unknown platform key is refused and names the serial', async () => {
    const err = await refused(
      {
        json: { coupon_id: '1' },
        signWith: { key: f.otherKey, serial: 'PUB_KEY_ID_0000000000000000000000000000000001' },
      },
      'UNKNOWN_SERIAL',
      'Wechatpay-Serial',
    );
    assert.match(err.message, /is `certs` missing the platform key PUB_KEY_ID_0000000000000000000000000000000001/i);
  });

  test('a right serial signed by the wrong key is a bad signature', async () => {
    await refused(
      { json: { coupon_id: '1' }, signWith: { key: f.otherKey, serial: f.platformSerial } },
      'BAD_SIGNATURE',
    );
  });

  for (const header of ['Wechatpay-Signature', 'Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Serial']) {
    test(`a 2xx answer without ${header} is refused`, async () => {
      await refused({ json: { coupon_id: '1' }, dropHeader: header }, 'MISSING_HEADER', header);
    });
  }

  test('a 2xx answer with no signature at all is refused', async () => {
    await refused({ json: { coupon_id: '1' }, unsigned: true }, 'MISSING_HEADER');
  });
});

describe('transport failures', () => {
  test('no answer within `timeout` is a TimeoutError', async () => {
    const slow = http.createServer(() => {
      // never answers
    });
    slow.listen(0, '127.0.0.1');
    await new Promise((r) => slow.once('listening', r));
    const client = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      baseURL: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`,
      timeout: 150,
    });
    try {
      const err = await rejection(client.chain('v3/anything').get());
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.timeout, 150);
    } finally {
      client.close();
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  test('a refused connection is a NetworkError that keeps the cause', async () => {
    const probe = http.createServer();
    probe.listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const client = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      baseURL: `http://127.0.0.1:${port}/`,
    });
    try {
      const err = await rejection(client.chain('v3/anything').get());
      assert.ok(err instanceof NetworkError);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    } finally {
      client.close();
    }
  });
});

describe('the fetch option', () => {
  test('fetch is called with one Request and the answer is verified the same way', async () => {
    const calls: unknown[][] = [];
    const client = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
      baseURL: server.url,
      fetch: (...args: unknown[]) => {
        calls.push(args);
        return fetch(args[0] as Request);
      },
    });
    next = { json: { stock_id: '12312354', coupon_code: '202007019999', out_request_no: '2335465' } };
    const res = await client['v3/marketing/busifavor/product-coupons/send'].post({
      json: { openid: 'o', appid: 'wx', stock_id: '12312354', out_request_no: '2335465', coupon_type: 'NORMAL' },
    });
    assert.equal(res.data.coupon_code, '202007019999');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.length, 1);
    assert.ok(calls[0]?.[0] instanceof Request);
  });
});
