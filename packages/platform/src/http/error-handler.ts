import type { Context, ErrorHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import { type Language, pickLanguage } from '../errors/messages.js';

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

/** The language a request asked for (`Accept-Language`), zh-CN when it named none the platform speaks. */
export function requestLanguage(c: Context): Language {
  return pickLanguage(c.req.header('accept-language'));
}

/** WeChat's error body in the request's language; `Content-Language` says which. */
export function errorResponse(c: Context, err: ApiError): Response {
  const language = requestLanguage(c);
  return c.body(JSON.stringify(err.toJSON(language)), err.status as 400, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Language': language,
  });
}
