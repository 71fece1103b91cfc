// A merchant's own test, run against the sandbox that the workflow starts (wxcoupon-sandbox.yml):
// the code under test talks to `wxcoupon serve` exactly as it would to WeChat Pay.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ApiError, Wechatpay } from '@wxcoupon/sdk';

const credentials = JSON.parse(readFileSync(process.env.WXCOUPON_CREDENTIALS, 'utf8'));
const wxpay = new Wechatpay({
  mchid: credentials.mchid,
  serial: credentials.serial,
  privateKey: readFileSync(credentials.privateKeyFile),
  certs: { [credentials.platformPublicKeyId]: readFileSync(credentials.platformPublicKeyFile) },
  baseURL: credentials.baseURL,
});
test.after(() => wxpay.close());

const send = (out_request_no, stock_id = credentials.favorStockId) =>
  wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
    params: { openid: 'oCI_merchant_test' },
    body: { stock_id, out_request_no, appid: credentials.appid, stock_creator_mchid: credentials.mchid },
  });

test('a send issues a coupon, and sending the same request number again returns it', async () => {
  const number = `ci${Date.now()}`;
  const first = await send(number);
  assert.match(first.data.coupon_id, /^\d+$/);
  assert.equal((await send(number)).data.coupon_id, first.data.coupon_id);
});

test('an unknown stock is refused as WeChat Pay refuses it', async () => {
  await assert.rejects(send(`ci${Date.now()}x`, '404404404'), (err) => err instanceof ApiError && err.status === 404);
});
