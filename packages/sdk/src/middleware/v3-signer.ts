import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import type { Middleware } from '../core/types.js';
import { authorization, nonce, requestMessage, timestamp } from '../crypto/formatter.js';
import { rsaSignAsync } from '../crypto/rsa.js';
import { ConfigError } from '../errors/config-error.js';
import { setDefaultHeader, setHeader } from './headers.js';

const NEWLINE = Buffer.from('\n');

export interface V3SignerOptions {
  mchid: string;
  serial: string | undefined;
  privateKey: KeyObject | undefined;
  /** The platform key the client expects responses to be signed with (`Wechatpay-Serial`). */
  platformSerial: string | undefined;
  userAgent: string;
}

/**
 * Signs the exact bytes about to be sent (`METHOD\nURL\nTS\nNONCE\nBODY\n`) and adds the headers
 * every APIv3 call carries. Signing runs on the thread pool so concurrent calls use every core.
 */
export function v3Signer(options: V3SignerOptions): Middleware {
  return {
    name: 'v3-signer',
    async handle(req, next) {
      const { serial, privateKey } = options;
      if (!serial || !privateKey) {
        throw new ConfigError('privateKey', 'APIv3 calls need `serial` and `privateKey` in the Wechatpay options');
      }
      const ts = timestamp();
      const nonceStr = nonce();
      const canonical = `${req.url.pathname}${req.url.search}`;
      // The body goes into the message as the very bytes that will be sent, never re-encoded.
      const head = requestMessage(req.method, canonical, ts, nonceStr, '').slice(0, -1);
      const message = req.body ? Buffer.concat([Buffer.from(head), req.body, NEWLINE]) : `${head}\n`;
      const signature = await rsaSignAsync(message, privateKey);
      const headers = req.headers;
      setHeader(
        headers,
        'Authorization',
        authorization({ mchid: options.mchid, nonce_str: nonceStr, timestamp: ts, serial_no: serial, signature }),
      );
      setDefaultHeader(headers, 'Accept', 'application/json');
      // Sent on bodiless calls too: some gateways reject a request without it, and it costs nothing.
      setDefaultHeader(headers, 'Content-Type', 'application/json');
      setDefaultHeader(headers, 'User-Agent', options.userAgent);
      if (options.platformSerial) setDefaultHeader(headers, 'Wechatpay-Serial', options.platformSerial);
      return next(req);
    },
  };
}
