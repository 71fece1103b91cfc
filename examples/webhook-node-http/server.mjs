// A WeChat Pay notification receiver on a plain node:http server: the body is collected as bytes,
// since the signature covers exactly what was sent, then verified and decrypted by parseNotification.
// Run: WXCOUPON_CREDENTIALS=.wxcoupon/demo/credentials.json PORT=3000 node server.mjs
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { isCouponUseEvent, parseNotification } from '@wxcoupon/sdk';

const credentials = JSON.parse(
  readFileSync(process.env.WXCOUPON_CREDENTIALS ?? '.wxcoupon/demo/credentials.json', 'utf8'),
);
const options = {
  certs: { [credentials.platformPublicKeyId]: readFileSync(credentials.platformPublicKeyFile) },
  apiV3Key: credentials.apiV3Key,
};

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/wechatpay/notify') return reply(res, 404, { code: 'NOT_FOUND' });
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const event = await parseNotification({ headers: req.headers, body: Buffer.concat(chunks) }, options);
    if (isCouponUseEvent(event)) console.log(`${event.event_type} coupon ${event.resource.coupon_id}`);
    else console.log(`${event.event_type} ${event.id}`);
    reply(res, 200, { code: 'SUCCESS', message: '成功' });
  } catch (err) {
    // A notification that does not verify is answered with an error, so WeChat Pay sends it again.
    console.error(`refused a notification: ${err.message}`);
    reply(res, 401, { code: 'FAIL', message: 'signature verification failed' });
  }
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/wechatpay/notify`);
});
