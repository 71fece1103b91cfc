import type { MiddlewareHandler } from 'hono';
import { requestId } from '../ids.js';
import type { AppEnv } from './env.js';
import { replyOf, withHeaders } from './reply.js';

/** Gives every response a `Request-ID`, errors and 404s included. */
export const requestIdMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = requestId();
  c.set('requestId', id);
  await next();
  const res = c.res;
  const reply = replyOf(res);
  if (reply) {
    c.res = undefined;
    c.res = withHeaders(res, reply, { 'Request-ID': id });
  } else {
    res.headers.set('Request-ID', id);
  }
};
