import { readFileSync } from 'node:fs';
import { Wechatpay } from '@wxcoupon/sdk';
import type { DemoCredentials, Platform } from '../../src/index.js';

// Request bodies and clients shared by the platform tests.

/** A valid F1 body; `over` replaces top-level keys, `rule` keys of stock_use_rule. */
export function stockBody(
  mchid: string,
  over: Record<string, unknown> = {},
  rule: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Date.now();
  const maxCoupons = (rule.max_coupons as number | undefined) ?? 100;
  return {
    stock_name: '测试批次',
    belong_merchant: mchid,
    available_begin_time: new Date(now + 1000).toISOString(),
    available_end_time: new Date(now + 7 * 86_400_000).toISOString(),
    stock_use_rule: {
      max_coupons: maxCoupons,
      max_amount: maxCoupons * 100,
      max_coupons_per_user: 5,
      natural_person_limit: false,
      prevent_api_abuse: false,
      ...rule,
    },
    coupon_use_rule: {
      fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 200 },
      available_merchants: [mchid],
    },
    no_cash: false,
    stock_type: 'NORMAL',
    out_request_no: `stock-${now}-${Math.random().toString(36).slice(2)}`,
    ...over,
  };
}

/** The SDK client for the demo merchant, in-process unless a fetch/baseURL is given. */
export function sdkFor(
  creds: DemoCredentials,
  via: {
    fetch?: (req: Request) => Promise<Response>;
    baseURL?: string;
    platformSerial?: string;
    certs?: Record<string, string | Buffer>;
  } = {},
): Wechatpay {
  return new Wechatpay({
    mchid: creds.mchid,
    serial: creds.serial,
    privateKey: readFileSync(creds.privateKeyFile),
    certs: via.certs ?? { [creds.platformPublicKeyId]: readFileSync(creds.platformPublicKeyFile) },
    baseURL: via.baseURL ?? 'http://platform.test/',
    ...(via.fetch ? { fetch: via.fetch } : {}),
    ...(via.platformSerial ? { platformSerial: via.platformSerial } : {}),
  });
}

/** How the SDK reaches the platform: its fetch handler in-process, or HTTP over a real socket. */
export const MODES = ['in-process', 'socket'] as const;
export type Mode = (typeof MODES)[number];
export type Via = { fetch: (req: Request) => Promise<Response> } | { baseURL: string };

/** The transport for `mode`; over a socket the platform starts listening on a free port. */
export async function transport(platform: Platform, mode: Mode): Promise<Via> {
  if (mode === 'in-process') return { fetch: platform.fetch };
  const { url } = await platform.listen({ host: '127.0.0.1', port: 0, tlsPort: false });
  return { baseURL: `${url}/` };
}

/** A second merchant (fresh keys) with an appid bound, and an SDK client for it. */
export async function addMerchant(
  platform: Platform,
  admin: AdminCall,
  appid: string,
  via: Via = { fetch: platform.fetch },
): Promise<{ mchid: string; wxpay: Wechatpay }> {
  const m = await admin('POST', '/merchants', {});
  if (m.status !== 200) throw new Error(`add merchant: ${JSON.stringify(m.data)}`);
  await admin('POST', `/merchants/${m.data.mchid}/appids`, { appid });
  const wxpay = new Wechatpay({
    mchid: m.data.mchid,
    serial: m.data.serial,
    privateKey: m.data.private_key,
    certs: { [platform.credentials.platformPublicKeyId]: readFileSync(platform.credentials.platformPublicKeyFile) },
    ...('fetch' in via ? { baseURL: 'http://platform.test/', fetch: via.fetch } : { baseURL: via.baseURL }),
  });
  return { mchid: m.data.mchid, wxpay };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
export type AdminCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; data: any }>;

/** Resolves to the ApiError a call rejects with (fails the test when it succeeds). */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ status: number; code: string; message: string; detail?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { status: number; code: string; message: string };
  }
  throw new Error('expected the call to fail');
}
