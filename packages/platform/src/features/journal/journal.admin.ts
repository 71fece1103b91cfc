import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { parseListQuery } from './journal.schema.js';

/** Admin routes: the request journal, newest first, shared by every instance on the database. */
export function journalAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const journal = () => {
    const service = ctx.services.journal;
    if (!service) throw new ApiError('RESOURCE_NOT_EXISTS', 'the request journal is off (started with --no-journal)');
    return service;
  };

  router.get('/requests', async (c) => {
    const filter = parseListQuery(c.req.query());
    const service = journal();
    // What this instance answered a moment ago is listed too, though its batch was not due yet.
    await service.flush();
    return ok(c, await service.list(filter));
  });

  router.get('/requests/:id', async (c) => {
    const service = journal();
    await service.flush();
    return ok(c, await service.get(c.req.param('id')));
  });
}
