import type { MiddlewareHandler } from 'hono';
import { requestId } from '../ids.js';
import type { AppEnv } from './env.js';

/** Gives every response a `Request-ID`, errors and 404s included. */
export const requestIdMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = requestId();
  c.set('requestId', id);
  await next();
  c.res.headers.set('Request-ID', id);
};
