import type { PlatformContext } from '../../context.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { parseRule } from './faults.schema.js';

/** Admin routes: fault rules, shared by every instance on the database. */
export function faultsAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const faults = ctx.services.faults;

  router.post('/faults', async (c) => ok(c, await faults.create(parseRule(c.get('rawBody'), faults.apis()))));

  router.get('/faults', async (c) => ok(c, { data: await faults.list(), apis: faults.apis() }));

  router.get('/faults/:id', async (c) => ok(c, await faults.get(c.req.param('id'))));

  router.delete('/faults/:id', async (c) => {
    await faults.remove(c.req.param('id'));
    return ok(c, { id: c.req.param('id'), deleted: true });
  });

  router.delete('/faults', async (c) => ok(c, { deleted: await faults.clear() }));
}
