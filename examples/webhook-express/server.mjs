// A WeChat Pay notification receiver on express: the body is read raw, since the signature covers
// the exact bytes, then verified and decrypted by parseNotification.
// Run: WXCOUPON_CREDENTIALS=.wxcoupon/demo/credentials.json PORT=3000 node server.mjs
import { readFileSync } from 'node:fs';
import { isCouponUseEvent, parseNotification } from '@wxcoupon/sdk';
import express from 'express';

const credentials = JSON.parse(
  readFileSync(process.env.WXCOUPON_CREDENTIALS ?? '.wxcoupon/demo/credentials.json', 'utf8'),
);
const options = {
  certs: { [credentials.platformPublicKeyId]: readFileSync(credentials.platformPublicKeyFile) },
  apiV3Key: credentials.apiV3Key,
};

const app = express();
app.post('/wechatpay/notify', express.raw({ type: '*/*' }), async (req, res) => {
  try {
    const event = await parseNotification({ headers: req.headers, body: req.body }, options);
    if (isCouponUseEvent(event)) console.log(`${event.event_type} coupon ${event.resource.coupon_id}`);
    else console.log(`${event.event_type} ${event.id}`);
    res.status(200).json({ code: 'SUCCESS', message: '成功' });
  } catch (err) {
    // A notification that does not verify is answered with an error, so WeChat Pay sends it again.
    console.error(`refused a notification: ${err.message}`);
    res.status(401).json({ code: 'FAIL', message: 'signature verification failed' });
  }
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/wechatpay/notify`);
});
