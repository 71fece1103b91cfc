import type { PlatformContext } from '../../context.js';
import { pendingMigrations } from '../../db/migrate.js';
import type { AppRouter } from '../../http/env.js';
import { ping } from './health.repository.js';

// For process managers and load balancers, so without authentication, and saying nothing about merchants.
// Liveness: the process answers HTTP. Readiness: it can serve requests (the database answers and its schema
// is the one this code expects) and is not shutting down.

/** How long readiness waits for the database before calling it unavailable. */
const DATABASE_CHECK_MS = 3000;

export function healthRoutes(app: AppRouter, ctx: PlatformContext): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    if (ctx.lifecycle.closing) return c.json({ status: 'closing' }, 503);
    let database = 'ok';
    let migrations = 'latest';
    try {
      await withTimeout(ping(ctx.db), DATABASE_CHECK_MS);
      const pending = await withTimeout(pendingMigrations(ctx.db), DATABASE_CHECK_MS);
      if (pending.length > 0) migrations = `pending: ${pending.join(', ')}`;
    } catch (err) {
      database = `unavailable: ${err instanceof Error ? err.message : String(err)}`;
      migrations = 'unknown';
    }
    const ready = database === 'ok' && migrations === 'latest';
    return c.json({ status: ready ? 'ready' : 'unavailable', database, migrations }, ready ? 200 : 503);
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
