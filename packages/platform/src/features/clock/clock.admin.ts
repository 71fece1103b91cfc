import type { PlatformContext } from '../../context.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { parseAdvance, parseSet } from './clock.schema.js';

/** Admin routes: read and move the platform clock. Each move answers once its consequences are applied. */
export function clockAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const clock = ctx.services.clock;

  router.get('/clock', async (c) => ok(c, await clock.show()));

  router.post('/clock/advance', async (c) => {
    const by = parseAdvance(c.get('rawBody'));
    return ok(c, await clock.advance(by.ms, by.text));
  });

  router.post('/clock/set', async (c) => {
    const to = parseSet(c.get('rawBody'));
    return ok(c, await clock.set(to.ms, to.text));
  });

  router.post('/clock/resume', async (c) => ok(c, await clock.resume()));
}
