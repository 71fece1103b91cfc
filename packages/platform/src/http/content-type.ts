import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import { MESSAGES } from '../errors/messages.js';
import type { V3Env } from './env.js';

// A JSON API refuses a request body declared as anything but JSON (coupon-api.md §8.6): the real
// service does not guess. Parameters (`; charset=utf-8`) are allowed; a request without a body is
// not checked. Runs after authentication, so an unsigned request is still 401 first.

const JSON_TYPE = /^application\/json\s*(;|$)/i;

export const jsonContentType: MiddlewareHandler<V3Env> = async (c, next) => {
  const type = c.req.header('content-type');
  if (c.get('rawBody') && !JSON_TYPE.test(type ?? '')) {
    throw new ApiError('INVALID_REQUEST', MESSAGES.contentType, {
      field: 'Content-Type',
      value: type ?? '',
      location: 'header',
    });
  }
  await next();
};
