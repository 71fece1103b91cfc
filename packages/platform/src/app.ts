import { Hono } from 'hono';
import type { PlatformContext } from './context.js';
import { durableAnswers, durableReach } from './db/durability.js';
import type { Feature } from './features/feature.js';
import { adminAuth } from './http/admin-auth.js';
import { serveAdminDocument } from './http/admin-openapi.js';
import { jsonContentType } from './http/content-type.js';
import type { AdminEnv, AppEnv, V3Env } from './http/env.js';
import { errorHandler } from './http/error-handler.js';
import { observe } from './http/observe.js';
import { serveDocument } from './http/openapi.js';
import { requestIdMiddleware } from './http/request-id.js';
import { literalPath } from './http/request-target.js';
import { routeFallback } from './http/route-fallback.js';
import { v3Auth } from './http/v3-auth.js';
import { v3Sign } from './http/v3-sign.js';

/**
 * The HTTP surface. Authentication is decided by mounting: everything a feature registers on the
 * v3 router sits behind request verification and response signing; everything on the admin router
 * behind the admin token. `Request-ID` and the error format apply to all.
 */
export function buildApp(ctx: PlatformContext, features: readonly Feature[], adminToken: string): Hono<AppEnv> {
  const onError = errorHandler(ctx.log);
  const app = new Hono<AppEnv>();
  app.use('*', requestIdMiddleware);
  app.use('*', observe(ctx.observers));
  // Before any route is chosen: a path the URL parser would resolve elsewhere is refused, not rerouted.
  app.use('*', literalPath);
  // No answer leaves before what it reports is committed (SQLite commits in groups).
  app.use('*', durableAnswers(ctx.db));
  app.onError(onError);
  app.notFound(routeFallback(app as unknown as Hono<never>));

  const v3 = new Hono<V3Env>();
  v3.onError(onError);
  // Order matters: signing wraps the handler's response; auth runs first and stops bad requests. The
  // request's statements are done before signing, so the answer waits for no batch opened meanwhile.
  v3.use('*', v3Sign(ctx), durableReach(ctx.db), v3Auth(ctx), jsonContentType);
  for (const f of features) f.v3?.(v3, ctx);
  app.route('/v3', v3);
  serveDocument(app, v3);

  const admin = new Hono<AdminEnv>();
  admin.onError(onError);
  admin.use('*', adminAuth(adminToken));
  const sealAdminDocument = serveAdminDocument(admin);
  for (const f of features) f.admin?.(admin, ctx);
  sealAdminDocument(Object.assign({}, ...features.map((f) => f.adminDocs ?? {})));
  app.route('/admin', admin);

  for (const f of features) f.root?.(app, ctx);
  return app;
}
