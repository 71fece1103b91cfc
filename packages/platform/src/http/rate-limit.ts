import type { MiddlewareHandler } from 'hono';
import type { PlatformContext } from '../context.js';
import { ApiError } from '../errors/api-error.js';
import type { ErrorCode } from '../errors/registry.js';
import type { V3Env } from './env.js';
import { noteOf } from './request-note.js';

/**
 * Per-merchant, per-API call limit. Checked before the handler does any work, so a throttled call
 * changes nothing. `code` is the family's own 429 code (代金券 `FREQUENCY_LIMIT_EXCEED`, 商家券 `FREQUENCY_LIMITED`).
 */
export function rateLimit(ctx: PlatformContext, api: string, code: ErrorCode): MiddlewareHandler<V3Env> {
  return async (c, next) => {
    // Every API route starts here, so this is where a request learns its API's name.
    const note = noteOf(c);
    if (note) note.api = api;
    const rule = ctx.rateLimits[api];
    if (rule && !(await ctx.rateLimiter.tryAcquire(`${c.get('merchant').mchid}:${api}`, rule.limit, rule.windowMs))) {
      throw new ApiError(code);
    }
    await next();
  };
}
