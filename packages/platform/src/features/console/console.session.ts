import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../http/env.js';

// Console sign-in: the admin token once, then a random session id in an HttpOnly, SameSite=Strict
// cookie. Sessions live in this process's memory so that logout ends one for good; after a restart,
// or on another instance of a cluster, the console asks for the token again. Every state-changing
// form carries the session's CSRF token (a second random value, never in a cookie).

export const SESSION_COOKIE = 'wxcoupon_console';
/** Before sign-in there is no session: the sign-in form's CSRF value is paired with this cookie instead. */
export const LOGIN_COOKIE = 'wxcoupon_console_login';
const SESSION_MS = 12 * 3600 * 1000;
const MAX_SESSIONS = 1000;

export interface ConsoleSession {
  csrf: string;
  expires: number;
}

export type ConsoleEnv = { Variables: AppEnv['Variables'] & { session: ConsoleSession } };

function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Equal strings, compared in constant time over their digests (so lengths do not leak either). */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

export class Sessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(private readonly adminToken: string) {}

  checkToken(given: string): boolean {
    return given.length > 0 && sameSecret(given.trim(), this.adminToken);
  }

  open(c: Context): ConsoleSession {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expires <= now) this.sessions.delete(id);
    // Oldest first in a Map: a flood of sign-ins evicts old sessions instead of growing without bound.
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomToken();
    const session = { csrf: randomToken(), expires: now + SESSION_MS };
    this.sessions.set(id, session);
    setCookie(c, SESSION_COOKIE, id, cookieOptions(c, SESSION_MS / 1000));
    return session;
  }

  find(c: Context): ConsoleSession | undefined {
    const id = getCookie(c, SESSION_COOKIE);
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expires <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  close(c: Context): void {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) this.sessions.delete(id);
    deleteCookie(c, SESSION_COOKIE, { path: '/console' });
  }

  /** Pages redirect to the sign-in page without a session; the console's JSON endpoints answer 401. */
  require(): MiddlewareHandler<ConsoleEnv> {
    return async (c, next) => {
      const session = this.find(c);
      if (!session) {
        if (c.req.path.startsWith('/console/api/'))
          return c.json({ code: 'ADMIN_UNAUTHORIZED', message: 'sign in to the console first' }, 401);
        return c.redirect('/console/login', 303);
      }
      c.set('session', session);
      await next();
    };
  }
}

/** A fresh value for the sign-in form, set as a cookie too (double submit). */
export function loginNonce(c: Context): string {
  const value = randomToken();
  setCookie(c, LOGIN_COOKIE, value, cookieOptions(c, 3600));
  return value;
}

export function checkLoginNonce(c: Context, given: string): boolean {
  const cookie = getCookie(c, LOGIN_COOKIE);
  deleteCookie(c, LOGIN_COOKIE, { path: '/console' });
  return cookie !== undefined && given.length > 0 && sameSecret(given, cookie);
}

function cookieOptions(c: Context, maxAge: number) {
  return {
    path: '/console',
    httpOnly: true,
    sameSite: 'Strict' as const,
    // Over the HTTPS listener the cookie is marked Secure; the HTTP listener is meant for 127.0.0.1.
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge,
  };
}
