import type { Middleware, OutgoingRequest } from '../core/types.js';
import { ApiError } from '../errors/api-error.js';
import { ConfigError } from '../errors/config-error.js';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { V2Error } from '../errors/v2-error.js';

export interface RetryOptions {
  /** Attempts after the first one (0 turns retrying off). */
  max: number;
  /** The first wait in milliseconds, doubled on each further attempt (default 500). */
  baseDelay?: number;
  /**
   * The longest single wait in milliseconds (default 10 000). A `Retry-After` longer than this ends
   * the retries: the error is raised at once rather than holding the caller past what it allowed.
   */
  maxDelay?: number;
}

/**
 * The fields that make a request safe to send twice: WeChat Pay answers a repeat of one of these
 * numbers with the first outcome (the same coupon, the same use) instead of acting again.
 * `delete_request_no` travels in the query string; `partner_trade_no` is APIv2 `send_coupon`'s.
 */
export const IDEMPOTENCY_KEYS = [
  'out_request_no',
  'send_request_no',
  'use_request_no',
  'return_request_no',
  'deactivate_request_no',
  'delete_request_no',
  'modify_budget_request_no',
  'upload_request_no',
  'partner_trade_no',
] as const;

/** The idempotency key a request carries (body, v2 fields or query), or undefined. */
export function idempotencyKey(req: OutgoingRequest): string | undefined {
  const fields = req.protocol === 'v2' ? req.xml : jsonObject(req.body);
  for (const name of IDEMPOTENCY_KEYS) {
    const value = fields?.[name] ?? req.url.searchParams.get(name);
    if (value !== undefined && value !== null && value !== '') return name;
  }
  return undefined;
}

function jsonObject(body: Uint8Array | undefined): Record<string, unknown> | undefined {
  // Only a JSON object can name a request number; skip anything else without parsing it.
  if (body?.[0] !== 0x7b) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Whether to send again after `err` on attempt `attempt` (1 = the first retry), and after how many
 * milliseconds; undefined means raise `err`. The rules, in order:
 */
export function retryDelay(
  err: unknown,
  attempt: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number | undefined {
  // 1. Out of attempts: stop.
  if (attempt > options.max) return undefined;
  const backoff = () => {
    // Exponential, capped, with "equal jitter": half fixed, half random, so clients that failed
    // together do not come back together.
    const ceiling = Math.min(options.maxDelay, options.baseDelay * 2 ** (attempt - 1));
    return ceiling / 2 + random() * (ceiling / 2);
  };
  // 2. No answer at all (refused, reset, dropped after the server committed) or none in time: the
  //    request may or may not have been processed, which the idempotency key makes harmless.
  if (err instanceof NetworkError || err instanceof TimeoutError) return backoff();
  if (err instanceof ApiError) {
    // 3. The server's own hint comes first; one longer than the caller allows ends the retries.
    const hinted = retryAfterMs(err.headers['retry-after']);
    const retryable = err.status === 429 || err.status >= 500 || err.code === 'SYSTEM_ERROR';
    if (!retryable) return undefined;
    if (hinted !== undefined) return hinted <= options.maxDelay ? hinted : undefined;
    // 4. Rate limited, a server fault or WeChat Pay's "try again" code: back off and retry.
    return backoff();
  }
  // 5. APIv2 answers its transient fault as a business failure with err_code SYSTEMERROR.
  if (err instanceof V2Error && (err.errCode === 'SYSTEMERROR' || err.errCode === 'SYSTEM_ERROR')) return backoff();
  // 6. Anything else (a refused parameter, a signature that does not verify, a bad option) would
  //    fail the same way again.
  return undefined;
}

/**
 * Sends again on transient failures, but only requests that carry an idempotency key
 * ({@link IDEMPOTENCY_KEYS}), so a retry can never issue a second coupon. Placed first in the chain:
 * each attempt passes through the signer again, so it carries a fresh nonce, timestamp and signature
 * over the same body.
 */
export function retry(options: RetryOptions): Middleware {
  const policy: Required<RetryOptions> = { baseDelay: 500, maxDelay: 10_000, ...options };
  if (!Number.isInteger(policy.max) || policy.max < 0) {
    throw new ConfigError('retries.max', 'expected the number of attempts after the first, an integer ≥ 0');
  }
  for (const name of ['baseDelay', 'maxDelay'] as const) {
    if (!Number.isFinite(policy[name]) || policy[name] < 0) {
      throw new ConfigError(`retries.${name}`, 'expected a number of milliseconds ≥ 0');
    }
  }
  return {
    name: 'retry',
    async handle(req, next) {
      const keyed = idempotencyKey(req) !== undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          return await next({ ...req, headers: { ...req.headers } });
        } catch (err) {
          const delay = keyed ? retryDelay(err, attempt, policy) : undefined;
          if (delay === undefined) throw err;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },
  };
}
