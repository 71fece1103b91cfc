import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  authorization,
  loadPrivateKey,
  loadPublicKey,
  nonce,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
  timestamp,
} from '@wxcoupon/sdk/crypto';
import type { DemoCredentials } from '../../src/index.js';

// A minimal APIv3 client for the platform's own tests: signs requests with a merchant key and
// verifies signed responses with the platform public key, using the SDK's protocol functions.

export interface SignedClientOptions {
  fetch: (req: Request) => Promise<Response>;
  baseURL: string;
  mchid: string;
  serial: string;
  privateKey: KeyObject;
  platformKeys: Record<string, KeyObject>;
  /** The Wechatpay-Serial to send; default the first platform key; null sends none. */
  wechatpaySerial?: string | null;
}

export interface SignedResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  data: any;
  /** true when signed and the signature verified; false when unsigned; throws when it does not verify. */
  signed: boolean;
}

export function clientFor(creds: DemoCredentials, fetch: (req: Request) => Promise<Response>, baseURL = creds.baseURL) {
  return new SignedClient({
    fetch,
    baseURL,
    mchid: creds.mchid,
    serial: creds.serial,
    privateKey: loadPrivateKey(readFileSync(creds.privateKeyFile)),
    platformKeys: { [creds.platformPublicKeyId]: loadPublicKey(readFileSync(creds.platformPublicKeyFile)) },
  });
}

export class SignedClient {
  constructor(readonly options: SignedClientOptions) {}

  with(change: Partial<SignedClientOptions>): SignedClient {
    return new SignedClient({ ...this.options, ...change });
  }

  get(path: string): Promise<SignedResponse> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<SignedResponse> {
    return this.request('POST', path, typeof body === 'string' ? body : JSON.stringify(body));
  }

  async request(
    method: string,
    path: string,
    body = '',
    tweak: { timestamp?: string; signature?: string; authorization?: string } = {},
  ): Promise<SignedResponse> {
    const o = this.options;
    const ts = tweak.timestamp ?? timestamp();
    const n = nonce();
    const signature = tweak.signature ?? rsaSign(requestMessage(method, path, ts, n, body), o.privateKey);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': 'wxcoupon-platform-tests',
      Authorization:
        tweak.authorization ??
        authorization({ mchid: o.mchid, nonce_str: n, timestamp: ts, serial_no: o.serial, signature }),
    };
    if (o.wechatpaySerial !== null)
      headers['Wechatpay-Serial'] = o.wechatpaySerial ?? Object.keys(o.platformKeys)[0] ?? '';
    if (body) headers['Content-Type'] = 'application/json';
    const res = await o.fetch(new Request(`${o.baseURL}${path}`, { method, headers, ...(body ? { body } : {}) }));
    const text = await res.text();
    const sig = res.headers.get('wechatpay-signature');
    let signed = false;
    if (sig) {
      const serial = res.headers.get('wechatpay-serial') ?? '';
      const key = o.platformKeys[serial];
      if (!key) throw new Error(`response signed with unknown platform key ${serial}`);
      const msg = responseMessage(
        res.headers.get('wechatpay-timestamp') ?? '',
        res.headers.get('wechatpay-nonce') ?? '',
        text,
      );
      if (!rsaVerify(msg, sig, key)) throw new Error('response signature does not verify');
      signed = true;
    }
    return { status: res.status, headers: res.headers, text, data: text ? JSON.parse(text) : undefined, signed };
  }
}
