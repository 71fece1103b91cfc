import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { aesGcmDecrypt, aesGcmEncrypt } from '../crypto/aes-gcm.js';
import { nonce, timestamp } from '../crypto/formatter.js';
import { type KeyLike, loadPrivateKey, loadPublicKey } from '../crypto/keys.js';
import { rsaSign } from '../crypto/rsa.js';
import { VerificationError } from '../errors/verification-error.js';
import type { BusifavorSendResource, FavorUseResource } from '../types/notifications.js';
import { normalizeHeaders, verifySignedMessage } from './signed-message.js';

/** The encrypted `resource` of a notification body. */
export interface EncryptedResource {
  original_type: string;
  algorithm: 'AEAD_AES_256_GCM' | (string & {});
  ciphertext: string;
  associated_data?: string;
  nonce: string;
}

/** The notification body as posted, before decryption. */
export interface NotificationEnvelope {
  id: string;
  create_time: string;
  event_type: string;
  resource_type: string;
  summary: string;
  resource: EncryptedResource;
}

interface EventBase<T extends string, R> {
  id: string;
  create_time: string;
  event_type: T;
  resource_type: string;
  summary: string;
  /** `resource.original_type`, e.g. `coupon`. */
  original_type: string;
  /** The decrypted resource. */
  resource: R;
}

/** 代金券 used (§3.12). */
export type CouponUseEvent = EventBase<'COUPON.USE', FavorUseResource>;
/** 商家券 received (§4.19). */
export type CouponSendEvent = EventBase<'COUPON.SEND', BusifavorSendResource>;
/** Any other event, resource left untyped. */
export type GenericEvent = EventBase<string, Record<string, unknown>>;
export type NotificationEvent = CouponUseEvent | CouponSendEvent | GenericEvent;

/** Narrows an event to COUPON.USE (a plain `===` check also leaves the generic case in the union). */
export function isCouponUseEvent(event: NotificationEvent): event is CouponUseEvent {
  return event.event_type === 'COUPON.USE';
}

/** Narrows an event to COUPON.SEND. */
export function isCouponSendEvent(event: NotificationEvent): event is CouponSendEvent {
  return event.event_type === 'COUPON.SEND';
}

export interface NotificationInput {
  /** Request headers (a `Headers`, Node's `req.headers`, or a plain record). */
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body exactly as received: a string or the bytes, never a parsed object. */
  body: string | Buffer | Uint8Array;
}

export interface NotificationOptions {
  certs: ReadonlyMap<string, KeyObject> | Readonly<Record<string, KeyLike>>;
  apiV3Key: string | Buffer;
  maxSkew?: number;
  now?: number;
}

/**
 * Verifies a notification's signature over its raw body, then decrypts the resource with the
 * APIv3 key. Signature probes (`WECHATPAY/SIGNTEST/…`) fail like any bad signature, as required.
 */
export async function parseNotification(
  input: NotificationInput,
  options: NotificationOptions,
): Promise<NotificationEvent> {
  if (input.body !== null && typeof input.body === 'object' && !(input.body instanceof Uint8Array)) {
    throw new VerificationError({
      reason: 'BAD_BODY',
      message:
        'the notification body was given as a parsed object; pass the raw body (string or Buffer) exactly as received, ' +
        'because the signature covers those bytes. Are you passing the raw body? (e.g. express.raw() / await c.req.text())',
    });
  }
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : Buffer.from(input.body);
  const certs = options.certs instanceof Map ? options.certs : toKeyMap(options.certs as Record<string, KeyLike>);
  const headers = normalizeHeaders(input.headers);
  await verifySignedMessage(headers, body, {
    certs,
    subject: 'notification',
    ...(options.maxSkew === undefined ? {} : { maxSkew: options.maxSkew }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  let envelope: NotificationEnvelope;
  try {
    envelope = JSON.parse(body.toString('utf8')) as NotificationEnvelope;
  } catch (cause) {
    throw new VerificationError({
      reason: 'BAD_BODY',
      message: 'the notification body is signed but is not JSON',
      cause,
    });
  }
  const r = envelope.resource;
  if (!r || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string') {
    throw new VerificationError({
      reason: 'BAD_BODY',
      message: 'the notification has no resource {ciphertext, nonce} to decrypt',
    });
  }
  if (r.algorithm !== 'AEAD_AES_256_GCM') {
    throw new VerificationError({
      reason: 'BAD_BODY',
      message: `unsupported resource.algorithm ${String(r.algorithm)}`,
    });
  }
  let plaintext: string;
  try {
    plaintext = aesGcmDecrypt(r.ciphertext, options.apiV3Key, r.nonce, r.associated_data ?? '');
  } catch (cause) {
    throw new VerificationError({
      reason: 'DECRYPT_FAILED',
      message:
        'the notification is correctly signed but its resource does not decrypt: is `apiV3Key` the APIv3 key set on ' +
        'the merchant platform (not the APIv2 key)? A key reset on the platform also changes it.',
      cause,
    });
  }
  let resource: unknown;
  try {
    resource = JSON.parse(plaintext);
  } catch (cause) {
    throw new VerificationError({
      reason: 'BAD_BODY',
      message: 'the decrypted notification resource is not JSON',
      cause,
    });
  }
  return {
    id: envelope.id,
    create_time: envelope.create_time,
    event_type: envelope.event_type,
    resource_type: envelope.resource_type,
    summary: envelope.summary,
    original_type: r.original_type,
    resource,
  } as NotificationEvent;
}

export interface TestNotificationOptions {
  event_type: 'COUPON.USE' | 'COUPON.SEND' | (string & {});
  /** The plaintext resource (encrypted into the body). */
  resource: Readonly<Record<string, unknown>>;
  /** The platform private key to sign with (its public half goes in your `certs`). */
  privateKey: KeyLike;
  /** The id of that key in `certs` (`PUB_KEY_ID_…` or a certificate serial). */
  serial: string;
  apiV3Key: string | Buffer;
  id?: string;
  summary?: string;
  associatedData?: string;
  /** Unix ms used for the timestamp (default now). */
  now?: number;
}

/**
 * Builds a notification exactly as WeChat Pay would send it: encrypted resource, signed raw body,
 * the five Wechatpay-* headers. Post it to your own webhook handler in tests.
 */
export function buildTestNotification(options: TestNotificationOptions): {
  headers: Record<string, string>;
  body: string;
} {
  const key = loadPrivateKey(options.privateKey, 'privateKey');
  const iv = nonce(12);
  const aad = options.associatedData ?? 'coupon';
  const now = options.now ?? Date.now();
  const body = JSON.stringify({
    id: options.id ?? `EV-${nonce(20)}`,
    create_time: new Date(now).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    resource_type: 'encrypt-resource',
    event_type: options.event_type,
    summary: options.summary ?? (options.event_type === 'COUPON.SEND' ? '商家券领券通知' : '用券成功'),
    resource: {
      original_type: 'coupon',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(JSON.stringify(options.resource), options.apiV3Key, iv, aad),
      associated_data: aad,
      nonce: iv,
    },
  });
  const ts = timestamp(now);
  const n = nonce();
  return {
    headers: {
      'Content-Type': 'application/json',
      'Request-ID': `TEST-${nonce(16)}`,
      'Wechatpay-Nonce': n,
      'Wechatpay-Serial': options.serial,
      'Wechatpay-Signature': rsaSign(`${ts}\n${n}\n${body}\n`, key),
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
      'Wechatpay-Timestamp': ts,
    },
    body,
  };
}

function toKeyMap(certs: Readonly<Record<string, KeyLike>>): Map<string, KeyObject> {
  return new Map(Object.entries(certs).map(([id, v]) => [id, loadPublicKey(v, `certs.${id}`)]));
}
