import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { FetchLike } from './core/fetch-transport.js';
import type { Middleware } from './core/types.js';
import { assertApiV3Key } from './crypto/aes-gcm.js';
import { type KeyLike, loadCertificate, loadPrivateKey, loadPublicKey } from './crypto/keys.js';
import { ConfigError } from './errors/config-error.js';
import type { RetryOptions } from './middleware/retry.js';
import { SDK_VERSION } from './version.js';

/** The merchant API certificate for mutual TLS: PEM (or DER) certificate and key, or a PKCS#12 bundle. */
export type MerchantCertificate =
  | { cert: string | Buffer; key: KeyLike }
  | { pfx: string | Buffer; passphrase?: string };

export interface WechatpayConfig {
  /** 商户号. */
  mchid: string;
  /** Serial of the merchant API certificate (upper-case hex), sent as `serial_no`. Needed for APIv3. */
  serial?: string;
  /** The merchant API private key (apiclient_key.pem). Needed for APIv3. */
  privateKey?: KeyLike;
  /** Platform keys: `{ [certificate serial or PUB_KEY_ID_…]: public key or certificate }`. */
  certs?: Readonly<Record<string, KeyLike>>;
  /** The APIv2 key (32 characters), for `v2/…` calls. */
  secret?: string;
  /** The APIv3 key (32 bytes), for notifications and certificate downloads. */
  apiV3Key?: string | Buffer;
  /** The merchant API certificate, presented on calls made with `security: true`. */
  merchant?: MerchantCertificate;
  /** Default `https://api.mch.weixin.qq.com/`. */
  baseURL?: string;
  /** Send through this fetch (called with one `Request`) instead of node:https. */
  fetch?: FetchLike;
  /** Milliseconds per request (default 10 000). */
  timeout?: number;
  userAgent?: string;
  /** The platform key id sent as `Wechatpay-Serial`; default: the first key in `certs`. */
  platformSerial?: string;
  /** Extra CA certificates to trust for `baseURL` (a private deployment). */
  ca?: string | Buffer;
  /** Middleware to use instead of the defaults, per protocol. */
  middleware?: { v2?: Middleware[]; v3?: Middleware[] };
  /**
   * Send again after network errors, timeouts, 5xx, `SYSTEM_ERROR` and 429 (backoff with jitter,
   * honouring `Retry-After`). Only requests carrying an idempotency key (`out_request_no` and its
   * relatives, see `IDEMPOTENCY_KEYS`) are retried. Off unless given.
   */
  retries?: RetryOptions;
}

/** The configuration after validation: every key parsed once into a KeyObject. */
export interface ResolvedConfig {
  mchid: string;
  serial: string | undefined;
  privateKey: KeyObject | undefined;
  certs: Map<string, KeyObject>;
  secret: string | undefined;
  apiV3Key: Buffer | undefined;
  merchant: SecureContextOptions | undefined;
  baseURL: URL;
  fetch: FetchLike | undefined;
  timeout: number;
  userAgent: string;
  platformSerial: string | undefined;
  ca: string | Buffer | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com/';

export function resolveConfig(config: WechatpayConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw new ConfigError('config', 'expected an options object');
  const { mchid } = config;
  if (typeof mchid !== 'string' || !/^\d{6,32}$/.test(mchid)) {
    throw new ConfigError('mchid', 'expected the merchant id (商户号) as a string of digits');
  }
  if ((config.serial === undefined) !== (config.privateKey === undefined)) {
    throw new ConfigError(
      config.serial === undefined ? 'serial' : 'privateKey',
      'APIv3 needs both `serial` (the merchant API certificate serial) and `privateKey` (apiclient_key.pem)',
    );
  }
  if (
    config.serial !== undefined &&
    (typeof config.serial !== 'string' || !/^[0-9A-Fa-f]{1,64}$/.test(config.serial))
  ) {
    throw new ConfigError(
      'serial',
      'expected the merchant API certificate serial in hex, e.g. 5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    );
  }
  const privateKey = config.privateKey === undefined ? undefined : loadPrivateKey(config.privateKey, 'privateKey');

  const certs = new Map<string, KeyObject>();
  if (config.certs !== undefined) {
    if (typeof config.certs !== 'object' || config.certs === null) {
      throw new ConfigError('certs', 'expected a map { [serial or PUB_KEY_ID_…]: public key or certificate }');
    }
    for (const [id, value] of Object.entries(config.certs)) {
      if (config.serial !== undefined && id.toUpperCase() === config.serial.toUpperCase()) {
        throw new ConfigError(
          `certs.${id}`,
          'this is the merchant certificate serial; `certs` holds the platform keys',
        );
      }
      certs.set(id, loadPublicKey(value, `certs.${id}`));
    }
  }
  if (config.platformSerial !== undefined && !certs.has(config.platformSerial)) {
    throw new ConfigError('platformSerial', `no key with id ${config.platformSerial} in \`certs\``);
  }

  if (config.secret !== undefined && (typeof config.secret !== 'string' || Buffer.byteLength(config.secret) !== 32)) {
    throw new ConfigError('secret', 'the APIv2 key must be a string of 32 characters');
  }
  const apiV3Key = config.apiV3Key === undefined ? undefined : assertApiV3Key(config.apiV3Key, 'apiV3Key');

  let baseURL: URL;
  try {
    baseURL = new URL(config.baseURL ?? DEFAULT_BASE_URL);
  } catch (cause) {
    throw new ConfigError('baseURL', 'not an absolute URL', { cause });
  }
  if (baseURL.protocol !== 'https:' && baseURL.protocol !== 'http:') {
    throw new ConfigError('baseURL', 'only http: and https: are supported');
  }
  if (!baseURL.pathname.endsWith('/')) baseURL.pathname += '/';

  const timeout = config.timeout ?? 10_000;
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new ConfigError('timeout', 'expected a positive number of milliseconds');
  if (config.fetch !== undefined && typeof config.fetch !== 'function') {
    throw new ConfigError('fetch', 'expected a function that takes a Request');
  }

  return {
    mchid,
    serial: config.serial?.toUpperCase(),
    privateKey,
    certs,
    secret: config.secret,
    apiV3Key,
    merchant: config.merchant === undefined ? undefined : resolveMerchant(config.merchant, mchid),
    baseURL,
    fetch: config.fetch,
    timeout,
    userAgent: config.userAgent ?? defaultUserAgent(),
    platformSerial: config.platformSerial ?? certs.keys().next().value,
    ca: config.ca,
  };
}

function resolveMerchant(merchant: MerchantCertificate, mchid: string): SecureContextOptions {
  if (typeof merchant !== 'object' || merchant === null) {
    throw new ConfigError('merchant', 'expected { cert, key } or { pfx, passphrase }');
  }
  if ('pfx' in merchant) {
    const pfx =
      typeof merchant.pfx === 'string' && merchant.pfx.startsWith('file://')
        ? readFile(merchant.pfx, 'merchant.pfx')
        : merchant.pfx;
    // By convention the PKCS#12 passphrase of apiclient_cert.p12 is the merchant id.
    const passphrase = merchant.passphrase ?? mchid;
    try {
      createSecureContext({ pfx, passphrase });
    } catch (cause) {
      throw new ConfigError(
        'merchant.pfx',
        'cannot open the PKCS#12 bundle; is the passphrase right (it defaults to the mchid)?',
        { cause },
      );
    }
    return { pfx, passphrase };
  }
  if (!('cert' in merchant) || !('key' in merchant)) {
    throw new ConfigError('merchant', 'expected { cert, key } or { pfx, passphrase }');
  }
  const x509 = loadCertificate(merchant.cert, 'merchant.cert');
  const key = loadPrivateKey(merchant.key, 'merchant.key');
  if (!x509.checkPrivateKey(key)) {
    throw new ConfigError(
      'merchant.key',
      'does not match merchant.cert (apiclient_key.pem belongs with apiclient_cert.pem)',
    );
  }
  return { cert: x509.toString(), key: key.export({ type: 'pkcs8', format: 'pem' }) as string };
}

function readFile(url: string, option: string): Buffer {
  try {
    return readFileSync(new URL(url));
  } catch (cause) {
    throw new ConfigError(option, `cannot read ${url}`, { cause });
  }
}

function defaultUserAgent(): string {
  const versions: Partial<Record<string, string>> = globalThis.process?.versions ?? {};
  const runtime = versions['bun']
    ? `bun/${versions['bun']}`
    : versions['deno']
      ? `deno/${versions['deno']}`
      : undefined;
  return `wxcoupon-sdk/${SDK_VERSION} ${runtime ?? (versions['node'] ? `node/${versions['node']}` : 'js')}`;
}
