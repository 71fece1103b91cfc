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

/** A number means "calls per second". */
export type RateLimitSetting = number | RateLimitRule;

export function resolveRateLimits(overrides: Record<string, RateLimitSetting> = {}): Record<string, RateLimitRule> {
  const out = { ...DEFAULT_RATE_LIMITS };
  for (const [api, v] of Object.entries(overrides)) out[api] = typeof v === 'number' ? { limit: v, windowMs: 1000 } : v;
  return out;
}
