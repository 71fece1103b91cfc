import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { ApiError, Wechatpay } from '../src/index.js';

// A 401 SIGN_ERROR's detail.sign_information (the message the server built from what it received)
// shows in the error's message, one part per line, so a failed signature can be debugged from a log.

let dir: string;
let platform: Platform;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sdk-sign-error-'));
  platform = await createPlatform({ dataDir: dir, log: () => {} });
});

after(async () => {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the message the server built is shown part by part, with the nested issue', () => {
  const err = new ApiError({
    status: 401,
    code: 'SIGN_ERROR',
    message: '签名错误',
    detail: {
      field: 'signature',
      location: 'authorization',
      sign_information: {
        method: 'POST',
        url: '/v3/pay/transactions/jsapi',
        sign_message_length: 206,
        truncated_sign_message:
          'POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"appid":"\n',
      },
      detail: { issue: 'sign not match' },
    },
    requestId: 'R1',
    headers: {},
    method: 'POST',
    url: 'https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi',
  });
  assert.match(
    err.message,
    /HTTP 401 SIGN_ERROR: 签名错误 — the request signature did not verify \([^)]*\) \(field signature: sign not match\) \[Request-ID R1\]/,
  );
  assert.match(
    err.message,
    /built the signed message from POST \/v3\/pay\/transactions\/jsapi as received \(206 bytes/,
  );
  assert.match(err.message, /\n {2}timestamp "1554208460"\n/);
  assert.match(err.message, /\n {2}body {6}"\{\\"appid\\":\\""$/);
});

test('a request signed with the wrong key fails with what the platform built from it', async () => {
  const c = platform.credentials;
  const wxpay = new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
    baseURL: 'http://platform.test/',
    fetch: platform.fetch,
  });
  try {
    const json = {
      stock_id: c.favorStockId,
      out_request_no: 'sign-error-1',
      appid: c.appid,
      stock_creator_mchid: c.mchid,
    };
    const err = await wxpay.v3.marketing.favor.users._openid_.coupons.post({ openid: 'o-sign', json }).then(
      () => assert.fail('expected SIGN_ERROR'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 401);
    assert.match(err.message, /\(field signature: sign not match\)/);
    assert.match(err.message, /\n {2}url {7}"\/v3\/marketing\/favor\/users\/o-sign\/coupons"\n/);
    assert.match(err.message, /\n {2}body {6}"\{\\"stock_id"$/);
  } finally {
    wxpay.close();
  }
});
