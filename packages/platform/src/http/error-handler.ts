import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';

/**
 * Turns any thrown error into WeChat's error body. Errors are never signed (the real service sends
 * 4xx/5xx without `Wechatpay-*` headers). Unexpected errors are logged and answered 500 SYSTEM_ERROR,
 * which tells clients to retry with the same request number.
 */
export function errorHandler(log: (line: string) => void): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    log(
      `platform: unexpected error on ${c.req.method} ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return errorResponse(c, new ApiError('SYSTEM_ERROR'));
  };
}

export function errorResponse(c: Context, err: ApiError): Response {
  return c.body(JSON.stringify(err.toJSON()), err.status as 400, { 'Content-Type': 'application/json' });
}

/** Unknown paths: 404 with an empty body, as observed on the real service. */
export const notFound: NotFoundHandler = (c) => c.body(null, 404);
