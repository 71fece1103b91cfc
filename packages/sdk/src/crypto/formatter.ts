import { Buffer } from 'node:buffer';
import { randomString } from './random.js';

// Pure string builders for the WeChat Pay wire protocol. Each one is pinned by a known-answer test.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A nonce of `length` base62 characters from the system CSPRNG (32 by default, as WeChat Pay expects). */
export function nonce(length = 32): string {
  return randomString(BASE62, length);
}

/** Unix time in whole seconds. */
export function timestamp(now: number = Date.now()): string {
  return String(Math.floor(now / 1000));
}

/** `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`: the APIv3 request message that the merchant signs. */
export function requestMessage(method: string, canonicalUrl: string, ts: string, nonceStr: string, body = ''): string {
  return `${method.toUpperCase()}\n${canonicalUrl}\n${ts}\n${nonceStr}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nBODY\n`: the message behind a response or notification signature. */
export function responseMessage(ts: string, nonceStr: string, body = ''): string {
  return `${ts}\n${nonceStr}\n${body}\n`;
}

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

export interface AuthorizationParams {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

/** The `Authorization` header value, parameters in the order the official SDKs emit them. */
export function authorization(p: AuthorizationParams): string {
  return `${AUTH_SCHEME} mchid="${p.mchid}",nonce_str="${p.nonce_str}",timestamp="${p.timestamp}",serial_no="${p.serial_no}",signature="${p.signature}"`;
}

const AUTH_PARAM = /([a-z_]+)="([^"]*)"/g;
// The whole parameter list: `k="v"` pairs separated by one comma, with optional spaces around it.
const AUTH_PARAMS = /^[a-z_]+="[^"]*"(?:[ \t]*,[ \t]*[a-z_]+="[^"]*")*$/;

/**
 * Parses an `Authorization` header in any parameter order. Returns undefined when the scheme is
 * wrong, a parameter is missing or repeated, or the parameters are not `k="v"` pairs separated by
 * commas (spaces around a comma allowed), which is the only form WeChat Pay documents.
 */
export function parseAuthorization(header: string | null | undefined): AuthorizationParams | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) return undefined;
  const rest = header.slice(space + 1).trim();
  if (!AUTH_PARAMS.test(rest)) return undefined;
  const found: Record<string, string> = {};
  for (const m of rest.matchAll(AUTH_PARAM)) {
    const key = m[1] as string;
    if (key in found) return undefined;
    found[key] = m[2] as string;
  }
  const { mchid, nonce_str, timestamp: ts, serial_no, signature } = found;
  if (!mchid || !nonce_str || !ts || !serial_no || !signature) return undefined;
  return { mchid, nonce_str, timestamp: ts, serial_no, signature };
}

/**
 * The APIv2 string to sign: every field except `sign` whose value is not empty, sorted by key in
 * byte order, joined as `k=v` with `&`, then `&key=KEY` when a key is given.
 */
export function v2StringToSign(params: Readonly<Record<string, unknown>>, key?: string): string {
  const pairs: string[] = [];
  for (const k of Object.keys(params).sort(byteOrder)) {
    if (k === 'sign') continue;
    const v = params[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'object') continue;
    pairs.push(`${k}=${String(v)}`);
  }
  const joined = pairs.join('&');
  return key === undefined ? joined : `${joined}&key=${key}`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
