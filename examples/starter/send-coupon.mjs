// Sends one 代金券 with @wxcoupon/sdk, against `wxcoupon serve` or WeChat Pay itself.
// Run: WXCOUPON_CREDENTIALS=.wxcoupon/demo/credentials.json node send-coupon.mjs <openid>
import { readFileSync } from 'node:fs';
import { Wechatpay } from '@wxcoupon/sdk';

const credentials = JSON.parse(
  readFileSync(process.env.WXCOUPON_CREDENTIALS ?? '.wxcoupon/demo/credentials.json', 'utf8'),
);
const openid = process.argv[2] ?? 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

const wxpay = new Wechatpay({
  mchid: credentials.mchid,
  serial: credentials.serial,
  privateKey: readFileSync(credentials.privateKeyFile),
  certs: { [credentials.platformPublicKeyId]: readFileSync(credentials.platformPublicKeyFile) },
  baseURL: credentials.baseURL,
  // Safe to retry: the send carries out_request_no, so a repeat returns the same coupon.
  retries: { max: 3 },
});

try {
  const { data, requestId } = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
    params: { openid },
    body: {
      stock_id: credentials.favorStockId,
      out_request_no: `starter${Date.now()}`,
      appid: credentials.appid,
      stock_creator_mchid: credentials.mchid,
    },
  });
  console.log(`sent coupon ${data.coupon_id} to ${openid} (Request-ID ${requestId})`);
} finally {
  wxpay.close();
}
