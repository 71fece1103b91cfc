import { createPublicKey } from 'node:crypto';
import { ApiError as SdkApiError, Wechatpay } from '@wxcoupon/sdk';
import { generateRsaKeyPair } from '@wxcoupon/sdk/pki';
import type { PlatformContext } from '../../context.js';
import type { AppRouter } from '../../http/env.js';
import * as repo from './console.repository.js';

// How the console acts. Its server code calls the platform in-process through the same HTTP surface a
// client uses, so every action passes the checks, rate limits, faults and records a client's would:
//  - the admin API (`/admin/…`) with the admin token, for what the admin API offers (faults, clock,
//    notifications, journal, 代金券 use);
//  - a merchant's APIv3 (`/v3/…`), signed as that merchant, for merchant actions (test send, stock
//    state, budget, 商家券 use/return/deactivate). The platform keeps no merchant's private key, so
//    the console has its own key pair and an API certificate per merchant, issued by the local CA and
//    registered for the merchant the first time the console acts for it, as a merchant adds a second
//    API certificate on the real service.

const SIGNING_KEY = 'console.signing_key';
/** How the console's own calls name themselves, so that they can be told apart from a client's. */
const CONSOLE_AGENT = 'wxcoupon-console';
const certificateSetting = (mchid: string) => `console.certificate.${mchid}`;

export interface Outcome {
  status: number;
  data: Record<string, unknown>;
}

/** A failed call, as a line for a person: `CODE: message`. */
export function describeFailure(o: Outcome): string {
  const code = typeof o.data.code === 'string' ? o.data.code : `HTTP ${o.status}`;
  const message = typeof o.data.message === 'string' ? o.data.message : '';
  return message ? `${code}: ${message}` : code;
}

export class ConsoleService {
  private readonly clients = new Map<string, Promise<Wechatpay>>();

  constructor(
    private readonly ctx: PlatformContext,
    private readonly app: AppRouter,
    private readonly adminToken: string,
  ) {}

  async admin(method: string, path: string, body?: unknown): Promise<Outcome> {
    const res = await this.app.request(`http://console.internal/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminToken}`,
        'user-agent': CONSOLE_AGENT,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let data: Record<string, unknown> = {};
    try {
      data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      data = { message: text.slice(0, 200) };
    }
    return { status: res.status, data };
  }

  /** A merchant API call signed as `mchid`; `path` as the SDK takes it (`v3/marketing/…`). */
  async merchant(mchid: string, method: string, path: string, json?: unknown): Promise<Outcome> {
    const client = await this.clientFor(mchid);
    try {
      const res = await client.request<Record<string, unknown>>(method, path, json === undefined ? {} : { json });
      return { status: res.status, data: (res.data ?? {}) as Record<string, unknown> };
    } catch (err) {
      if (err instanceof SdkApiError)
        return { status: err.status, data: { code: err.code, message: messageOf(err), ...detailOf(err) } };
      throw err;
    }
  }

  /** One client per merchant; concurrent first calls share its set-up (one certificate, not two). */
  private clientFor(mchid: string): Promise<Wechatpay> {
    let client = this.clients.get(mchid);
    if (!client) {
      client = this.newClient(mchid);
      client.catch(() => this.clients.delete(mchid));
      this.clients.set(mchid, client);
    }
    return client;
  }

  private async newClient(mchid: string): Promise<Wechatpay> {
    const privateKeyPem = await this.signingKey();
    const serial = await this.certificateFor(mchid, privateKeyPem);
    const keys = this.ctx.keys;
    return new Wechatpay({
      mchid,
      serial,
      privateKey: privateKeyPem,
      certs: {
        [keys.publicKey.id]: keys.publicKey.publicKeyPem,
        ...(keys.certificate.certificatePem ? { [keys.certificate.id]: keys.certificate.certificatePem } : {}),
      },
      baseURL: 'http://console.internal/',
      userAgent: CONSOLE_AGENT,
      fetch: (req) => Promise.resolve(this.app.fetch(req)),
    });
  }

  /** The console's one key pair, made on first use and shared by every instance on the database. */
  private async signingKey(): Promise<string> {
    const stored = await repo.readSetting(this.ctx.db, SIGNING_KEY);
    if (stored) return stored;
    const pair = await generateRsaKeyPair();
    await repo.insertSettingIfAbsent(this.ctx.db, SIGNING_KEY, pair.privateKeyPem);
    return (await repo.readSetting(this.ctx.db, SIGNING_KEY)) as string;
  }

  private async certificateFor(mchid: string, privateKeyPem: string): Promise<string> {
    const merchants = this.ctx.services.merchants;
    const name = certificateSetting(mchid);
    const known = await repo.readSetting(this.ctx.db, name);
    if (known && (await merchants.hasCertificate(mchid, known))) return known;
    const issued = this.ctx.tls.issueMerchantCertificate({
      mchid,
      name: 'wxcoupon console',
      publicKey: createPublicKey(privateKeyPem),
    });
    const serial = await merchants.addCertificate(mchid, issued.pem);
    await repo.writeSetting(this.ctx.db, name, serial);
    return serial;
  }
}

function messageOf(err: SdkApiError): string {
  // The SDK's message wraps the platform's: method and URL before it, field and Request-ID after it.
  let m = /failed with HTTP \d+ [A-Z_]+: (.*)$/s.exec(err.message)?.[1] ?? err.message;
  if (err.requestId) m = m.replace(` [Request-ID ${err.requestId}]`, '');
  const where = err.detail?.field
    ? ` (field ${err.detail.field}${err.detail.issue ? `: ${err.detail.issue}` : ''})`
    : '';
  return where && m.endsWith(where) ? m.slice(0, -where.length) : m;
}

function detailOf(err: SdkApiError): Record<string, unknown> {
  return err.detail ? { detail: err.detail } : {};
}
