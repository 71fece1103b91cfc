import type { RateLimitRule } from './rate-limiter.js';

/** Documented limits per merchant and API (coupon-api.md §3.0); override with `rateLimits`. */
export const DEFAULT_RATE_LIMITS: Record<string, RateLimitRule> = {
  'favor.stocks.create': { limit: 1000, windowMs: 60_000 },
  'favor.stocks.start': { limit: 1000, windowMs: 60_000 },
  'favor.stocks.pause': { limit: 1000, windowMs: 60_000 },
  'favor.stocks.restart': { limit: 1000, windowMs: 60_000 },
  'favor.stocks.stop': { limit: 1000, windowMs: 60_000 },
  'favor.stocks.list': { limit: 1000, windowMs: 1000 },
  'favor.stocks.get': { limit: 500, windowMs: 1000 },
  'favor.stocks.merchants': { limit: 1000, windowMs: 60_000 },
  'favor.stocks.items': { limit: 600, windowMs: 60_000 },
  'favor.coupons.send': { limit: 500, windowMs: 1000 },
  'favor.coupons.get': { limit: 500, windowMs: 1000 },
  'favor.coupons.list': { limit: 500, windowMs: 1000 },
  'favor.callbacks.set': { limit: 1000, windowMs: 60_000 },
  'favor.callbacks.get': { limit: 2000, windowMs: 1000 },
  // APIv2 send_coupon: no documented rate; the same as its v3 counterpart F8.
  'v2coupon.send_coupon': { limit: 500, windowMs: 1000 },
};

/**
 * Every API a limit can name, by family. A limit is per merchant and API; the ones with a documented
 * rate get it by default (above, and 商家券 in features/busifavor), the others have none until named.
 */
export const RATE_LIMIT_APIS: readonly string[] = [
  ...['stocks.create', 'stocks.start', 'stocks.pause', 'stocks.restart', 'stocks.stop', 'stocks.list', 'stocks.get']
    .concat(['stocks.merchants', 'stocks.items', 'coupons.send', 'coupons.get', 'coupons.list'])
    .concat(['callbacks.set', 'callbacks.get'])
    .map((api) => `favor.${api}`),
  ...['stocks.create', 'stocks.get', 'stocks.modify', 'stocks.budget', 'codes.upload', 'codes.list', 'codes.get']
    .concat(['codes.delete', 'coupons.send', 'product-coupons.send', 'coupons.use', 'coupons.list', 'coupons.get'])
    .concat(['coupons.associate', 'coupons.disassociate', 'coupons.return', 'coupons.deactivate'])
    .concat(['callbacks.set', 'callbacks.get'])
    .map((api) => `busifavor.${api}`),
  'v2coupon.send_coupon',
  'v2coupon.query_coupon_stock',
  'v2coupon.querycouponsinfo',
];

/** A number means "calls per second". */
export type RateLimitSetting = number | RateLimitRule;

/** The names in `overrides` that no API has (a typo would otherwise leave a limit silently unset). */
export function unknownRateLimitNames(overrides: Record<string, unknown>): string[] {
  return Object.keys(overrides).filter((api) => !RATE_LIMIT_APIS.includes(api));
}

export function resolveRateLimits(overrides: Record<string, RateLimitSetting> = {}): Record<string, RateLimitRule> {
  const out = { ...DEFAULT_RATE_LIMITS };
  for (const [api, v] of Object.entries(overrides)) out[api] = typeof v === 'number' ? { limit: v, windowMs: 1000 } : v;
  return out;
}
