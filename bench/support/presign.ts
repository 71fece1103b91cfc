// 代金券 send requests signed in advance, so that a load generator's clock measures the server, not
// the client's RSA. Shared by the platform and scale benchmarks. Signing runs on the thread pool.
import type { KeyObject } from 'node:crypto';
import { authorization, nonce, requestMessage, rsaSignAsync, timestamp } from '../../packages/sdk/src/crypto/index.js';

export interface SendCredentials {
  mchid: string;
  serial: string;
  appid: string;
  favorStockId: string;
}

export interface PresignedSend {
  /** Path and query, as signed. */
  path: string;
  body: string;
  auth: string;
}

/** `count` signed POST …/users/{openid}/coupons requests; `request(i)` names the i-th one's openid and number. */
export function presignSends(
  c: SendCredentials,
  key: KeyObject,
  count: number,
  request: (i: number) => { openid: string; outRequestNo: string },
): Promise<PresignedSend[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { openid, outRequestNo } = request(i);
      const path = `/v3/marketing/favor/users/${openid}/coupons`;
      const body = JSON.stringify({
        stock_id: c.favorStockId,
        out_request_no: outRequestNo,
        appid: c.appid,
        stock_creator_mchid: c.mchid,
      });
      const ts = timestamp();
      const n = nonce();
      const signature = await rsaSignAsync(requestMessage('POST', path, ts, n, body), key);
      return {
        path,
        body,
        auth: authorization({ mchid: c.mchid, nonce_str: n, timestamp: ts, serial_no: c.serial, signature }),
      };
    }),
  );
}
