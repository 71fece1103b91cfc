import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { V2Error, VerificationError, v2Sign, v2Verify, Wechatpay } from '../src/index.js';
import { buildXml, parseXml } from '../src/xml.js';
import { type Fixtures, fixtures } from './support/fixtures.js';
import { type ServerRequest, type SigningServer, startSigningServer } from './support/signing-server.js';

// APIv2 over mutual TLS against a local HTTPS server whose CA issued both certificates.

let f: Fixtures;
let server: SigningServer;
let answer: (req: ServerRequest, fields: Record<string, string>) => Record<string, string> | string;

const sendXml = {
  coupon_stock_id: '1757',
  openid_count: '1',
  partner_trade_no: '1000009820141203515766',
  openid: 'onqOjjrXT-776SpHnfexGm1_P7iE',
  appid: 'wx5edab3bdfba3dc1c',
  mch_id: '10000098',
  op_user_id: '10000098',
  device_info: '',
  version: '1.0',
  type: 'XML',
};

before(async () => {
  f = await fixtures();
  server = await startSigningServer({
    ...f,
    tls: { key: f.serverKeyPem, cert: f.serverCertPem, ca: f.caPem },
    handler: (req) => {
      const out = answer(req, parseXml(req.body));
      return {
        unsigned: true,
        body: typeof out === 'string' ? out : buildXml(out),
        headers: { 'Content-Type': 'text/xml' },
      };
    },
  });
});

after(() => server.close());

function client(extra: Partial<ConstructorParameters<typeof Wechatpay>[0]> = {}) {
  return new Wechatpay({
    mchid: f.mchid,
    secret: f.apiV2Key,
    merchant: { cert: f.merchantCertPem, key: f.merchantKeyPem },
    baseURL: server.url,
    ca: f.caPem,
    ...extra,
  });
}

function signed(fields: Record<string, string>): Record<string, string> {
  return { ...fields, sign: v2Sign(fields, f.apiV2Key) };
}

const success = (fields: Record<string, string>) =>
  signed({
    return_code: 'SUCCESS',
    appid: fields['appid'] ?? '',
    mch_id: fields['mch_id'] ?? '',
    nonce_str: '1417579335',
    result_code: 'SUCCESS',
    coupon_stock_id: fields['coupon_stock_id'] ?? '',
    resp_count: '1',
    success_count: '1',
    failed_count: '0',
    openid: fields['openid'] ?? '',
    ret_code: 'SUCCESS',
    coupon_id: '6954',
  });

describe('APIv2', () => {
  test('send_coupon goes out signed, as XML, without v2/, over mutual TLS, and its signed answer parses', async () => {
    answer = (req, fields) => {
      assert.equal(req.path, '/mmpaymkttransfers/send_coupon');
      assert.equal(req.clientCertSerial, f.merchantSerial, 'the merchant certificate was presented');
      assert.ok(v2Verify(fields, f.apiV2Key), 'the request sign verifies');
      assert.equal(fields['sign']?.length, 32, 'MD5 by default');
      assert.equal(fields['device_info'], '', 'empty fields are still sent');
      assert.ok((fields['nonce_str'] ?? '').length > 0 && (fields['nonce_str'] ?? '').length <= 32);
      return success(fields);
    };
    const wxpay = client();
    try {
      const res = await wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: sendXml, security: true });
      assert.equal(res.data.coupon_id, '6954');
      assert.equal(res.data.ret_code, 'SUCCESS');
      assert.match(server.requests.at(-1)?.headers['content-type'] ?? '', /text\/xml/);
    } finally {
      wxpay.close();
    }
  });

  test('without security: true no client certificate is presented', async () => {
    answer = (req, fields) => {
      assert.equal(req.clientCertSerial, undefined);
      return signed({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        coupon_stock_id: fields['coupon_stock_id'] ?? '',
      });
    };
    const wxpay = client();
    try {
      const res = await wxpay.chain('v2/mmpaymkttransfers/query_coupon_stock').post({
        xml: { coupon_stock_id: '1757', appid: 'wx5edab3bdfba3dc1c' },
      });
      assert.equal(res.data.coupon_stock_id, '1757');
      const sent = parseXml(server.requests.at(-1)?.body ?? '');
      assert.equal(sent['mch_id'], f.mchid, 'mch_id defaults to the client mchid');
    } finally {
      wxpay.close();
    }
  });

  test('sign_type=HMAC-SHA256 signs with HMAC', async () => {
    answer = (_, fields) => {
      assert.equal(fields['sign']?.length, 64);
      assert.ok(v2Verify(fields, f.apiV2Key));
      return signed({ return_code: 'SUCCESS', result_code: 'SUCCESS', sign_type: 'HMAC-SHA256' });
    };
    const wxpay = client();
    try {
      await wxpay['v2/mmpaymkttransfers/querycouponsinfo'].post({
        xml: { coupon_id: '6954', openid: 'o', appid: 'wx', stock_id: '1757', sign_type: 'HMAC-SHA256' },
      });
    } finally {
      wxpay.close();
    }
  });

  test('result_code=FAIL becomes a V2Error with a decimal err_code kept as text', async () => {
    answer = () =>
      signed({
        return_code: 'SUCCESS',
        result_code: 'FAIL',
        err_code: '268456007',
        err_code_des: '你已领取过该代金券',
        ret_code: 'FAIL',
        coupon_id: '',
      });
    const wxpay = client();
    try {
      await assert.rejects(
        wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: sendXml, security: true }),
        (err: unknown) => {
          assert.ok(err instanceof V2Error);
          assert.equal(err.errCode, '268456007');
          assert.equal(err.errCodeDes, '你已领取过该代金券');
          assert.equal(err.resultCode, 'FAIL');
          assert.equal(err.data['ret_code'], 'FAIL');
          return true;
        },
      );
    } finally {
      wxpay.close();
    }
  });

  test('an err_code alongside result_code=SUCCESS is still a failure', async () => {
    answer = () =>
      signed({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        err_code: '268456007',
        err_code_des: '批次ID信息不正确',
      });
    const wxpay = client();
    try {
      await assert.rejects(
        wxpay.v2.mmpaymkttransfers.query_coupon_stock.post({ xml: { coupon_stock_id: '1', appid: 'wx' } }),
        V2Error,
      );
    } finally {
      wxpay.close();
    }
  });

  test('return_code=FAIL becomes a V2Error with return_msg', async () => {
    answer = () => ({ return_code: 'FAIL', return_msg: '签名错误' });
    const wxpay = client();
    try {
      await assert.rejects(
        wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: sendXml, security: true }),
        (err: unknown) => {
          assert.ok(err instanceof V2Error);
          assert.equal(err.returnCode, 'FAIL');
          assert.equal(err.returnMsg, '签名错误');
          return true;
        },
      );
    } finally {
      wxpay.close();
    }
  });

  test('an answer whose sign does not verify is refused', async () => {
    answer = (_, fields) => ({ ...success(fields), coupon_id: '9999' });
    const wxpay = client();
    try {
      await assert.rejects(
        wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: sendXml, security: true }),
        (err: unknown) => {
          assert.ok(err instanceof VerificationError);
          assert.equal(err.header, 'sign');
          return true;
        },
      );
    } finally {
      wxpay.close();
    }
  });

  test('an answer with a DOCTYPE is refused rather than parsed', async () => {
    answer = () => '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml><return_code>&a;</return_code></xml>';
    const wxpay = client();
    try {
      await assert.rejects(
        wxpay.v2.mmpaymkttransfers.query_coupon_stock.post({ xml: { coupon_stock_id: '1', appid: 'wx' } }),
        (err: unknown) => err instanceof VerificationError && err.reason === 'BAD_BODY',
      );
    } finally {
      wxpay.close();
    }
  });

  test('a PKCS#12 merchant certificate works with the passphrase defaulting to the mchid', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-p12-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), f.merchantCertPem);
      writeFileSync(join(dir, 'key.pem'), f.merchantKeyPem);
      try {
        execFileSync(
          'openssl',
          [
            'pkcs12',
            '-export',
            '-in',
            join(dir, 'cert.pem'),
            '-inkey',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'apiclient_cert.p12'),
            '-passout',
            `pass:${f.mchid}`,
          ],
          { stdio: 'ignore' },
        );
      } catch {
        t.skip('openssl is not available to build a PKCS#12 file');
        return;
      }
      answer = (req, fields) => {
        assert.equal(req.clientCertSerial, f.merchantSerial);
        return success(fields);
      };
      const wxpay = client({ merchant: { pfx: readFileSync(join(dir, 'apiclient_cert.p12')) } });
      try {
        const res = await wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: sendXml, security: true });
        assert.equal(res.data.coupon_id, '6954');
      } finally {
        wxpay.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
