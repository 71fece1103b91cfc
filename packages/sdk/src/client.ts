import { Buffer } from 'node:buffer';
import { type ResolvedConfig, resolveConfig, type WechatpayConfig } from './config.js';
import { type Caller, chainNode } from './core/chain.js';
import { fetchTransport } from './core/fetch-transport.js';
import { nodeTransport } from './core/node-transport.js';
import { isNode } from './core/runtime.js';
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
import { retry } from './middleware/retry.js';
import { v2Xml } from './middleware/v2-xml.js';
import { v3Signer } from './middleware/v3-signer.js';
import { apiError, isV3Verifier, v3Verifier } from './middleware/v3-verifier.js';
import type { ChainFor, ChainRoot } from './types/chain.js';
import type { EndpointKey } from './types/endpoints.js';
import type { LooseRoute, LooseRouteOptions, RouteArgs, RouteResponse } from './types/request.js';

/** Options of the three-argument `request(method, path, options)`: template variables by name. */
export interface RequestOptions {
  json?: unknown;
  xml?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  security?: boolean;
  [templateVariable: string]: unknown;
}

/** What {@link WechatpayClient.use} answers: `eject()` takes the steps it added out again. */
export interface MiddlewareHandle {
  eject(): void;
}

const ROOT = Symbol('root');
const RESERVED = new Set(['json', 'xml', 'query', 'headers', 'security']);
const ROUTE = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/;
// Node's util.inspect looks a custom view up under this registered symbol; no import of node:util needed.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type Method = OutgoingRequest['method'];

/** One call, whichever way it was written: path variables, body (JSON or v2 fields), query, headers. */
interface Call {
  params: Readonly<Record<string, unknown>>;
  body?: unknown;
  query?: Record<string, unknown> | undefined;
  headers?: Record<string, string> | undefined;
  security?: boolean | undefined;
}

class WechatpayClient {
  readonly #config: ResolvedConfig;
  readonly #transport: Transport & { close?(): void };
  /**
   * The middleware per protocol, in order, outermost first. {@link use} and {@link eject} add and remove
   * steps; replacing or inserting entries here works too.
   */
  readonly middleware: { v2: Middleware[]; v3: Middleware[] };

  constructor(config: WechatpayConfig) {
    const c = resolveConfig(config);
    this.#config = c;
    if (c.fetch) this.#transport = fetchTransport(c.fetch, c.timeout);
    else if (isNode()) this.#transport = nodeTransport({ timeout: c.timeout, merchant: c.merchant, ca: c.ca });
    else this.#transport = fetchTransport((r) => fetch(r), c.timeout, { mutualTls: false });
    // Retries go first, so each attempt is signed again by the steps after them.
    const retries = config.retries === undefined ? [] : [retry(config.retries)];
    this.middleware = {
      v3: [
        ...retries,
        ...(config.middleware?.v3 ?? [
          v3Verifier({ certs: c.certs }),
          v3Signer({
            mchid: c.mchid,
            serial: c.serial,
            privateKey: c.privateKey,
            platformSerial: c.platformSerial,
            userAgent: c.userAgent,
          }),
        ]),
      ],
      v2: [
        ...retries,
        ...(config.middleware?.v2 ?? [v2Xml({ mchid: c.mchid, secret: c.secret, userAgent: c.userAgent })]),
      ],
    };
  }

  /**
   * Adds steps to one protocol's middleware, after the others (nearest the transport: they see the signed
   * request and the response as received), and answers a handle whose `eject()` removes them again.
   */
  use(protocol: 'v2' | 'v3', ...steps: Middleware[]): MiddlewareHandle {
    this.middleware[protocol].push(...steps);
    return { eject: () => this.eject(protocol, ...steps) };
  }

  /** Removes steps from one protocol's middleware, by identity (added with {@link use} or configured). */
  eject(protocol: 'v2' | 'v3', ...steps: Middleware[]): void {
    const list = this.middleware[protocol];
    for (const step of steps) {
      const i = list.indexOf(step);
      if (i >= 0) list.splice(i, 1);
    }
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

  /** A route outside the map, loosely typed; name the answer's type as `T`. */
  request<T = unknown, R extends string = string>(
    route: LooseRoute<R>,
    options?: LooseRouteOptions,
  ): Promise<WechatpayResponse<T>>;
  /**
   * @deprecated Write the route as one string: `request('POST /v3/…', { params, body })`, typed from
   * the endpoint map. This form takes the path variables by name beside `json`, `xml` and `query`.
   */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<WechatpayResponse<T>>;
  // Last, so that a mistake in a mapped call is reported against this signature.
  /**
   * One call by its route, typed from the endpoint map:
   * `request('POST /v3/marketing/favor/users/{openid}/coupons', { params: { openid }, body })`.
   * `body` is the JSON body (v3) or the fields (v2, signed and sent as XML).
   */
  request<K extends EndpointKey>(route: K, ...options: RouteArgs<K>): Promise<RouteResponse<K>>;
  async request(
    route: string,
    second?: LooseRouteOptions | string,
    third: RequestOptions = {},
  ): Promise<WechatpayResponse<unknown>> {
    if (typeof second === 'string') {
      return this.#send(route.toUpperCase() as Method, second, chainCall(second, third));
    }
    const parts = ROUTE.exec(typeof route === 'string' ? route : '');
    if (!parts) {
      throw new RequestError(
        `expected a route such as 'POST /v3/marketing/favor/users/{openid}/coupons', not ${JSON.stringify(route)}`,
      );
    }
    const options = second ?? {};
    return this.#send(parts[1] as Method, parts[2] as string, {
      params: options.params ?? {},
      body: options.body,
      query: options.query,
      headers: options.headers,
      security: options.security,
    });
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
    const signer = this.middleware.v3.filter((m) => !isV3Verifier(m));
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

  [INSPECT](_depth: number, options: unknown, inspect: (value: unknown, options: unknown) => string): string {
    return `Wechatpay ${inspect(this.toJSON(), options)}`;
  }

  readonly #call: Caller = (method, path, options) => this.#send(method, path, chainCall(path, options));

  async #send(method: Method, path: string, call: Call): Promise<WechatpayResponse<unknown>> {
    const c = this.#config;
    const clean = path.replace(/^\/+/, '');
    const protocol = clean.startsWith('v2/') ? 'v2' : 'v3';
    const wirePath = protocol === 'v2' ? clean.slice(3) : clean;
    const filled = fillTemplate(wirePath, call.params);
    const url = new URL(`${filled}${queryString(call.query)}`, c.baseURL);
    const req: OutgoingRequest = {
      method,
      url,
      headers: { ...(call.headers ?? {}) },
      security: call.security === true,
      protocol,
    };
    const body = call.body;
    if (protocol === 'v2') {
      if (body !== undefined && (typeof body !== 'object' || body === null || Buffer.isBuffer(body))) {
        throw new RequestError('the body of a v2 call must be an object of fields; the SDK signs and serializes it');
      }
      req.xml = (body as Record<string, unknown> | undefined) ?? {};
    } else if (body !== undefined) {
      req.body = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    }
    const run = compose(protocol === 'v2' ? this.middleware.v2 : this.middleware.v3, this.#transport);
    const res = await run(req);
    return { status: res.status, headers: res.headers, data: res.data, requestId: res.headers['request-id'] };
  }
}

/** A chain call's options (`json`/`xml`, `query`, and path variables by name) as one {@link Call}. */
function chainCall(path: string, options: Record<string, unknown>): Call {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (!RESERVED.has(k)) params[k] = v;
  const v2 = path.replace(/^\/+/, '').startsWith('v2/');
  const xml = options['xml'];
  if (v2 && xml !== undefined && (typeof xml !== 'object' || xml === null)) {
    throw new RequestError('`xml` must be an object of fields; the SDK signs and serializes it');
  }
  return {
    params,
    body: v2 ? xml : options['json'],
    query: options['query'] as Record<string, unknown> | undefined,
    headers: options['headers'] as Record<string, string> | undefined,
    security: options['security'] === true,
  };
}

export type Wechatpay = WechatpayClient & ChainRoot;

/** The client's own members, which property access returns instead of a chain node. */
const ROOT_OWN: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(WechatpayClient.prototype));

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
      if (ROOT_OWN.has(property) || Object.hasOwn(target, property)) {
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
