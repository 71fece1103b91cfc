import { inspect } from 'node:util';
import { type ResolvedConfig, resolveConfig, type WechatpayConfig } from './config.js';
import { type Caller, chainNode } from './core/chain.js';
import { fetchTransport } from './core/fetch-transport.js';
import { nodeTransport } from './core/node-transport.js';
import {
  compose,
  type Middleware,
  type OutgoingRequest,
  type Transport,
  type WechatpayResponse,
} from './core/types.js';
import { fillTemplate, queryString, segmentsOf } from './core/url.js';
import { loadPublicKey } from './crypto/keys.js';
import { oaepEncrypt } from './crypto/rsa.js';
import { ConfigError } from './errors/config-error.js';
import { RequestError } from './errors/request-error.js';
import { VerificationError } from './errors/verification-error.js';
import {
  decryptCertificates,
  type EncryptedCertificateEntry,
  type PlatformCertificate,
} from './helpers/certificates.js';
import { type NotificationEvent, type NotificationInput, parseNotification } from './helpers/notification.js';
import { verifySignedMessage } from './helpers/signed-message.js';
import { v2Xml } from './middleware/v2-xml.js';
import { v3Signer } from './middleware/v3-signer.js';
import { apiError, v3Verifier } from './middleware/v3-verifier.js';
import type { ChainFor, ChainRoot } from './types/chain.js';

/** Options every verb takes, besides template variables by name. */
export interface RequestOptions {
  json?: unknown;
  xml?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  security?: boolean;
  [templateVariable: string]: unknown;
}

const ROOT = Symbol('root');
const RESERVED = new Set(['json', 'xml', 'query', 'headers', 'security']);

class WechatpayClient {
  readonly #config: ResolvedConfig;
  readonly #transport: Transport & { close?(): void };
  /** The middleware per protocol, in order; replace or insert entries to change behaviour. */
  readonly middleware: { v2: Middleware[]; v3: Middleware[] };

  constructor(config: WechatpayConfig) {
    const c = resolveConfig(config);
    this.#config = c;
    this.#transport = c.fetch
      ? fetchTransport(c.fetch, c.timeout)
      : nodeTransport({ timeout: c.timeout, merchant: c.merchant, ca: c.ca });
    this.middleware = {
      v3: config.middleware?.v3 ?? [
        v3Verifier({ certs: c.certs }),
        v3Signer({
          mchid: c.mchid,
          serial: c.serial,
          privateKey: c.privateKey,
          platformSerial: c.platformSerial,
          userAgent: c.userAgent,
        }),
      ],
      v2: config.middleware?.v2 ?? [v2Xml({ mchid: c.mchid, secret: c.secret, userAgent: c.userAgent })],
    };
  }

  get mchid(): string {
    return this.#config.mchid;
  }

  /** A chain node for a path written out: `'v3/marketing/favor/users/{openid}/coupons'`. */
  chain<P extends string>(path: P): ChainFor<P> {
    return chainNode(
      path.split('/').filter((s) => s !== ''),
      this.#call,
    ) as ChainFor<P>;
  }

  /** The chain node for a property read on the client itself (`wxpay.v3`, `wxpay['v3/…']`). */
  [ROOT](property: string): unknown {
    return chainNode(segmentsOf(property), this.#call);
  }

  /** One call, without the chain. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<WechatpayResponse<T>> {
    return (await this.#call(method.toUpperCase() as OutgoingRequest['method'], path, options)) as WechatpayResponse<T>;
  }

  /**
   * Encrypts a sensitive field with RSA-OAEP under a platform key. Send the returned `serial` as
   * the request's `Wechatpay-Serial` header so WeChat Pay decrypts with the matching key.
   */
  encrypt(
    plaintext: string,
    serial: string | undefined = this.#config.platformSerial,
  ): { ciphertext: string; serial: string } {
    const key = serial === undefined ? undefined : this.#config.certs.get(serial);
    if (!key || serial === undefined) {
      throw new ConfigError('certs', `no platform key ${serial ?? ''} to encrypt with; add it to \`certs\``);
    }
    return { ciphertext: oaepEncrypt(plaintext, key), serial };
  }

  /**
   * Downloads the platform certificates (certificate mode), decrypts them with `apiV3Key`, and verifies
   * the answer's signature with the configured keys or, on first use, with the downloaded certificate
   * that the answer names. Add the results to `certs` to use them.
   */
  async downloadCertificates(): Promise<PlatformCertificate[]> {
    const c = this.#config;
    if (!c.apiV3Key) throw new ConfigError('apiV3Key', 'needed to decrypt the platform certificates');
    const signer = this.middleware.v3.filter((m) => m.name !== 'v3-verifier');
    const url = new URL('v3/certificates', c.baseURL);
    const req: OutgoingRequest = { method: 'GET', url, headers: {}, security: false, protocol: 'v3' };
    const res = await compose(signer, this.#transport)(req);
    if (res.status !== 200) throw apiError(req, res);
    let body: { data?: EncryptedCertificateEntry[] };
    try {
      body = JSON.parse(res.body.toString('utf8')) as { data?: EncryptedCertificateEntry[] };
    } catch (cause) {
      throw new VerificationError({ reason: 'BAD_BODY', message: 'the certificate list is not JSON', cause });
    }
    const certificates = decryptCertificates(body, c.apiV3Key);
    const keys = new Map(c.certs);
    for (const cert of certificates) if (!keys.has(cert.serial)) keys.set(cert.serial, loadPublicKey(cert.pem));
    await verifySignedMessage(res.headers, res.body, { certs: keys, subject: 'certificate list' });
    return certificates;
  }

  /** Verifies and decrypts a notification with this client's `certs` and `apiV3Key`. */
  parseNotification(input: NotificationInput): Promise<NotificationEvent> {
    if (!this.#config.apiV3Key) throw new ConfigError('apiV3Key', 'needed to decrypt notifications');
    return parseNotification(input, { certs: this.#config.certs, apiV3Key: this.#config.apiV3Key });
  }

  /** Closes idle keep-alive sockets (the process can then exit without waiting for them). */
  close(): void {
    this.#transport.close?.();
  }

  toJSON(): Record<string, unknown> {
    return { mchid: this.#config.mchid, serial: this.#config.serial, baseURL: this.#config.baseURL.href };
  }

  toString(): string {
    return `Wechatpay(mchid=${this.#config.mchid})`;
  }

  [inspect.custom](): string {
    return `Wechatpay ${inspect(this.toJSON())}`;
  }

  readonly #call: Caller = async (method, path, options) => {
    const c = this.#config;
    const clean = path.replace(/^\/+/, '');
    const protocol = clean.startsWith('v2/') ? 'v2' : 'v3';
    const wirePath = protocol === 'v2' ? clean.slice(3) : clean;
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) if (!RESERVED.has(k)) vars[k] = v;
    const filled = fillTemplate(wirePath, vars);
    const url = new URL(`${filled}${queryString(options['query'] as Record<string, unknown> | undefined)}`, c.baseURL);
    const req: OutgoingRequest = {
      method,
      url,
      headers: { ...((options['headers'] as Record<string, string> | undefined) ?? {}) },
      security: options['security'] === true,
      protocol,
    };
    if (protocol === 'v2') {
      const xml = options['xml'];
      if (xml !== undefined && (typeof xml !== 'object' || xml === null)) {
        throw new RequestError('`xml` must be an object of fields; the SDK signs and serializes it');
      }
      req.xml = (xml as Record<string, unknown> | undefined) ?? {};
    } else if (options['json'] !== undefined) {
      const json = options['json'];
      req.body = Buffer.isBuffer(json) ? json : Buffer.from(typeof json === 'string' ? json : JSON.stringify(json));
    }
    const run = compose(protocol === 'v2' ? this.middleware.v2 : this.middleware.v3, this.#transport);
    const res = await run(req);
    return { status: res.status, headers: res.headers, data: res.data, requestId: res.headers['request-id'] };
  };
}

export type Wechatpay = WechatpayClient & ChainRoot;

const ROOT_OWN = new Set([
  'chain',
  'request',
  'encrypt',
  'parseNotification',
  'downloadCertificates',
  'close',
  'toJSON',
  'toString',
  'middleware',
  'mchid',
  'constructor',
]);

/**
 * The WeChat Pay client. Property access builds a path (`wxpay.v3.marketing.favor.users._openid_.coupons`),
 * as do `wxpay.chain('v3/…')` and `wxpay['v3/…']`; the verbs get/post/put/patch/delete send it.
 */
export const Wechatpay = function Wechatpay(this: unknown, config: WechatpayConfig) {
  if (!new.target) throw new TypeError('Wechatpay is a class; call it with `new`');
  const client = new WechatpayClient(config);
  const roots = new Map<string, unknown>();
  return new Proxy(client, {
    get(target, property, receiver) {
      if (typeof property === 'symbol') return Reflect.get(target, property, receiver);
      if (property === 'then') return undefined;
      if (ROOT_OWN.has(property)) {
        const v = Reflect.get(target, property, target);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      let node = roots.get(property);
      if (node === undefined) {
        node = target[ROOT](property);
        roots.set(property, node);
      }
      return node;
    },
  });
} as unknown as new (
  config: WechatpayConfig,
) => Wechatpay;
Object.defineProperty(Wechatpay, 'prototype', { value: WechatpayClient.prototype });
