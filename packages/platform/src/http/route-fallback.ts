import type { Hono, NotFoundHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import { MESSAGES, type Text, validatorText, WHY } from '../errors/messages.js';
import { errorResponse } from './error-handler.js';

// What the real service answers for a request no route takes (coupon-api.md §8.3): a known path
// with a path parameter left empty (`users//coupons`) is 400 PARAM_ERROR at `uri_template`; a known
// path with a method it does not serve is 405 with an empty body; anything else 404, empty too.

interface Template {
  method: string;
  pattern: RegExp;
  params: string[];
}

/** The 代金券 table's own texts for its empty path parameters; others get the validator's. */
const FAVOR_PATH_TEXTS: Readonly<Record<string, Text>> = {
  openid: MESSAGES.openidRequired,
  coupon_id: MESSAGES.couponIdRequired,
};

function compile(routes: ReadonlyArray<{ method: string; path: string }>): Template[] {
  const out: Template[] = [];
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const params: string[] = [];
    const source = r.path
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        params.push(part.slice(1));
        return '([^/]*)';
      })
      .join('/');
    out.push({ method: r.method, pattern: new RegExp(`^${source}$`), params });
  }
  return out;
}

/** The not-found handler of `app`; reads the app's routes on first use, once all are registered. */
export function routeFallback(app: Hono<never>): NotFoundHandler {
  let templates: Template[] | undefined;
  return (c) => {
    templates ??= compile(app.routes);
    const path = c.req.path;
    const known = templates.filter((t) => t.pattern.test(path));
    const served = known.find((t) => t.method === c.req.method);
    if (served) {
      // The router found no route only because a parameter is empty.
      const values = served.pattern.exec(path)?.slice(1) ?? [];
      const name = served.params[values.indexOf('')] ?? served.params[0] ?? 'path';
      const own = path.startsWith('/v3/marketing/favor/') ? FAVOR_PATH_TEXTS[name] : undefined;
      const message = own ?? validatorText('uri_template', `/${name}`, 'required', WHY.required);
      return errorResponse(
        c,
        new ApiError('PARAM_ERROR', message, { field: name, location: 'uri_template', value: '' }),
      );
    }
    return c.body(null, known.length > 0 ? 405 : 404);
  };
}
