import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { AdminEnv } from './env.js';
import { decodeBody, readRawBody } from './raw-body.js';

/** `Authorization: Bearer <token>` with the token from `<data>/admin-token`. */
export function adminAuth(token: string): MiddlewareHandler<AdminEnv> {
  const expected = Buffer.from(token);
  return async (c, next) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError('ADMIN_UNAUTHORIZED');
    c.set('rawBody', decodeBody(await readRawBody(c)));
    await next();
  };
}
