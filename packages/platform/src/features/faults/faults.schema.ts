import type { ErrorCode } from '../../errors/registry.js';
import { type FieldReader, parseBody } from '../../http/validator.js';
import { V2_ERROR_CODES, type V2ErrorCode } from '../v2coupon/v2coupon.errors.js';

// What a fault rule is, and which errors each API family documents (coupon-api.md §1.4, §3.13,
// §4.21, §2.2–§2.4): a fault answers only errors a real client of that API can meet.

export const ACTIONS = ['error', 'latency', 'close', 'drop_after_commit'] as const;
export type FaultAction = (typeof ACTIONS)[number];

export type Family = 'favor' | 'busifavor' | 'v2coupon';

const FAVOR_CODES: readonly ErrorCode[] = [
  'PARAM_ERROR',
  'INVALID_REQUEST',
  'MCH_NOT_EXISTS',
  'APPID_MCHID_NOT_MATCH',
  'SIGN_ERROR',
  'USER_ACCOUNT_ABNORMAL',
  'NOT_ENOUGH',
  'REQUEST_BLOCKED',
  'RESOURCE_NOT_EXISTS',
  'FREQUENCY_LIMIT_EXCEED',
  'SYSTEM_ERROR',
];

// NOT_ENOUGH is not in the 2020 table, but it is what the platform answers for an exhausted 商家券 stock.
const BUSIFAVOR_CODES: readonly ErrorCode[] = [
  'PARAM_ERROR',
  'INVALID_REQUEST',
  'MCH_NOT_EXISTS',
  'APPID_MCHID_NOT_MATCH',
  'SIGN_ERROR',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_NOT_EXISTS',
  'USER_NOT_EXISTS',
  'NOAUTH',
  'RULELIMIT',
  'NOT_ENOUGH',
  'FREQUENCY_LIMITED',
  'SYSTEM_ERROR',
];

/** The v2 codes answered in the communication layer (`return_code=FAIL`); the rest are business failures. */
export const V2_RETURN_LAYER: ReadonlySet<string> = new Set([
  'SIGN_ERROR',
  'CA_ERROR',
  'CA_VERIFY_FAILED',
  'REQ_PARAM_XML_ERR',
]);

export function familyOf(api: string): Family {
  if (api.startsWith('v2coupon.')) return 'v2coupon';
  return api.startsWith('busifavor.') ? 'busifavor' : 'favor';
}

export function documentedCodes(family: Family): readonly string[] {
  if (family === 'v2coupon') return Object.keys(V2_ERROR_CODES) as V2ErrorCode[];
  return family === 'busifavor' ? BUSIFAVOR_CODES : FAVOR_CODES;
}

/** What a fault does to one request. */
export type FaultEffect =
  | { action: 'error'; code: string }
  | { action: 'latency'; ms: number }
  | { action: 'close' }
  | { action: 'drop_after_commit' };

export interface FaultMatch {
  api?: string;
  mchid?: string;
  stockId?: string;
  openid?: string;
  outRequestNo?: string;
}

export interface FaultRuleInput {
  match: FaultMatch;
  effect: FaultEffect;
  times?: number;
  probability?: number;
  seed?: number;
}

export const MAX_LATENCY_MS = 120_000;

/** The body of `POST /admin/faults`; `apis` are the API names the platform serves. */
export function parseRule(raw: string, apis: readonly string[]): FaultRuleInput {
  return parseBody(raw || '{}', (b) => readRule(b, apis));
}

function readRule(b: FieldReader, apis: readonly string[]): FaultRuleInput {
  const api = b.string('/api', { max: 100 });
  if (api !== undefined && !apis.includes(api)) b.fail('/api', api, `unknown API name; one of ${apis.join(', ')}`);
  const action = b.string('/action', { required: true, oneOf: ACTIONS }) as FaultAction;
  let effect: FaultEffect;
  if (action === 'error') {
    const code = b.string('/error_code', { required: true, max: 64 });
    const forApi = api ?? b.fail('/api', undefined, 'is required with action error: which API answers the error');
    const codes = documentedCodes(familyOf(forApi));
    if (!codes.includes(code))
      b.fail('/error_code', code, `is not an error ${forApi} documents; one of ${codes.join(', ')}`);
    effect = { action, code };
  } else if (action === 'latency') {
    effect = { action, ms: b.integer('/latency_ms', { required: true, min: 1, max: MAX_LATENCY_MS }) };
  } else {
    effect = { action };
  }
  for (const [pointer, other] of [
    ['/error_code', 'error'],
    ['/latency_ms', 'latency'],
  ] as const) {
    if (action !== other && b.has(pointer)) b.fail(pointer, b.get(pointer), `applies only to action ${other}`);
  }
  const times = b.integer('/times', { min: 1, max: 1_000_000_000 });
  const probability = b.get('/probability');
  if (probability !== undefined && (typeof probability !== 'number' || !(probability > 0 && probability <= 1)))
    b.fail('/probability', probability, 'must be a number greater than 0 and at most 1');
  const seed = b.integer('/seed', { min: 0, max: 2 ** 31 - 1 });
  if (seed !== undefined && probability === undefined) b.fail('/seed', seed, 'applies only with probability');
  const match: FaultMatch = {};
  const text = (pointer: string, max: number) => b.string(pointer, { min: 1, max });
  const fields = {
    api,
    mchid: text('/mchid', 32),
    stockId: text('/stock_id', 64),
    openid: text('/openid', 128),
    outRequestNo: text('/out_request_no', 128),
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) match[k as keyof FaultMatch] = v;
  return {
    match,
    effect,
    ...(times !== undefined ? { times } : {}),
    ...(probability !== undefined ? { probability: probability as number } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** The request header that names a fault for that one request, when the platform allows it. */
export const FAULT_HEADER = 'wxcoupon-fault';

/**
 * `Wxcoupon-Fault: SYSTEM_ERROR` (an error code of the API), `latency=500`, `close` or
 * `drop-after-commit`. A value that names none of these is refused, so a typo never passes silently.
 */
export function parseFaultHeader(value: string, api: string): FaultEffect | { invalid: string } {
  const v = value.trim();
  if (v === 'close') return { action: 'close' };
  if (v === 'drop-after-commit' || v === 'drop_after_commit') return { action: 'drop_after_commit' };
  const latency = /^latency=(\d{1,6})$/.exec(v);
  if (latency) {
    const ms = Number(latency[1]);
    if (ms >= 1 && ms <= MAX_LATENCY_MS) return { action: 'latency', ms };
    return { invalid: `Wxcoupon-Fault: latency must be 1 to ${MAX_LATENCY_MS} ms` };
  }
  const code = v.startsWith('error=') ? v.slice('error='.length) : v;
  const codes = documentedCodes(familyOf(api));
  if (codes.includes(code)) return { action: 'error', code };
  return {
    invalid: `Wxcoupon-Fault: "${v}" is not close, drop-after-commit, latency=MS or an error ${api} documents (${codes.join(', ')})`,
  };
}
