import { Buffer } from 'node:buffer';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { v2StringToSign } from './formatter.js';

// APIv2 `sign`: MD5 (the default) or HMAC-SHA256 over the sorted, non-empty fields plus `&key=`.

export type V2SignType = 'MD5' | 'HMAC-SHA256';

export function md5Hex(input: string | Buffer): string {
  return createHash('md5').update(input).digest('hex');
}

export function hmacSha256Hex(input: string | Buffer, key: string | Buffer): string {
  return createHmac('sha256', key).update(input).digest('hex');
}

/** The `sign` value for `params` (upper-case hex). The sign type defaults to the params' own `sign_type`. */
export function v2Sign(params: Readonly<Record<string, unknown>>, key: string, signType?: V2SignType): string {
  const type = signType ?? signTypeOf(params);
  const message = v2StringToSign(params, key);
  return (type === 'HMAC-SHA256' ? hmacSha256Hex(message, key) : md5Hex(message)).toUpperCase();
}

/**
 * Checks `params.sign` in constant time. The algorithm is told by `sign_type` when present, otherwise
 * by the signature's length (32 hex characters: MD5; 64: HMAC-SHA256).
 */
export function v2Verify(params: Readonly<Record<string, unknown>>, key: string): boolean {
  const given = params['sign'];
  if (typeof given !== 'string' || (given.length !== 32 && given.length !== 64)) return false;
  const declared = params['sign_type'];
  const type: V2SignType =
    declared === 'HMAC-SHA256' || (declared === undefined && given.length === 64) ? 'HMAC-SHA256' : 'MD5';
  const expected = Buffer.from(v2Sign(params, key, type));
  const actual = Buffer.from(given.toUpperCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function signTypeOf(params: Readonly<Record<string, unknown>>): V2SignType {
  return params['sign_type'] === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
}
