import { randomBytes, randomInt } from 'node:crypto';
import { randomHex, randomString } from '@wxcoupon/sdk/crypto';

// Identifiers are random rather than sequential so that several instances sharing one database
// never need a shared counter; unique constraints catch the (astronomically rare) collision.

/** A decimal id of `digits` digits without a leading zero, like WeChat's stock and coupon ids. */
export function numericId(digits: number): string {
  let out = String(randomInt(1, 10));
  while (out.length < digits) out += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return out.slice(0, digits);
}

/** An opaque Request-ID in the shape WeChat Pay uses: hex, a dash, and a short suffix. */
export function requestId(): string {
  return `${randomHex(16)}-${randomHex(2)}`.toUpperCase();
}

/** A random token for the admin API. */
export function secretToken(): string {
  return randomBytes(24).toString('base64url');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 32-character APIv3/APIv2 key (ASCII letters and digits, as the merchant platform generates). */
export function merchantKey(): string {
  return randomString(ALNUM, 32);
}
