// A reference point for the platform benchmark: the least a server must do to answer a 代金券 send correctly
// signed, and nothing more. It reads the body, verifies the request's RSA signature against the merchant's
// certificate, parses the JSON and signs a `{"coupon_id"}` answer with the platform key, on node:http with the
// same crypto helpers and thread pool as the platform. No framework, no validation, no database, no budget,
// no idempotency. The platform's throughput over this floor's, measured in the same rounds, is what the
// framework and the business rules cost.
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AUTH_SCHEME,
  nonce,
  parseAuthorization,
  requestMessage,
  responseMessage,
  rsaSignAsync,
  rsaVerify,
  timestamp,
} from '../../packages/sdk/src/crypto/index.js';

export interface FloorServer {
  url: string;
  close(): Promise<void>;
}

export async function startFloorServer(keys: {
  /** Verifies requests: the merchant's API certificate key. */
  merchantKey: KeyObject;
  /** Signs answers, named by `keyId` in `Wechatpay-Serial`. */
  platformKey: KeyObject;
  keyId: string;
}): Promise<FloorServer> {
  let next = 10_000_000_000;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const auth = parseAuthorization(req.headers.authorization);
        const message = auth && requestMessage(req.method ?? '', req.url ?? '', auth.timestamp, auth.nonce_str, body);
        if (!auth || !message || !rsaVerify(message, auth.signature, keys.merchantKey)) {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":"SIGN_ERROR","message":"签名错误"}');
          return;
        }
        JSON.parse(body);
        const text = JSON.stringify({ coupon_id: String(next++) });
        const ts = timestamp();
        const nonceStr = nonce();
        const signature = await rsaSignAsync(responseMessage(ts, nonceStr, text), keys.platformKey);
        res
          .writeHead(200, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(text),
            'Request-ID': nonce(),
            'Wechatpay-Timestamp': ts,
            'Wechatpay-Nonce': nonceStr,
            'Wechatpay-Signature': signature,
            'Wechatpay-Serial': keys.keyId,
            'Wechatpay-Signature-Type': AUTH_SCHEME,
          })
          .end(text);
      })().catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
