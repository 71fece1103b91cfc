import { Type } from '@sinclair/typebox';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
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

export const journalAdminDocs: AdminDocs = {
  'GET /admin/requests': {
    summary: 'The request journal, newest first; `next` is the cursor of the following page',
    query: Type.Object({
      mchid: Type.Optional(Type.String({ maxLength: 32 })),
      api: Type.Optional(Type.String({ maxLength: 100 })),
      status: Type.Optional(Type.String()),
      code: Type.Optional(Type.String({ maxLength: 64 })),
      request_id: Type.Optional(Type.String({ maxLength: 64 })),
      before: Type.Optional(Type.String({ pattern: '^[0-9a-f]{1,32}$', description: 'A `next` cursor' })),
      limit: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
    response: Type.Object({
      data: Type.Array(
        Type.Object({
          id: Type.String(),
          request_id: Type.String(),
          time: Type.String(),
          method: Type.String(),
          path: Type.String(),
          status: Type.Integer(),
        }),
      ),
      next: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  'GET /admin/requests/{id}': {
    summary: 'A journaled request and its answer, secrets redacted',
    response: Type.Object({ id: Type.String(), request_id: Type.String(), status: Type.Integer() }),
  },
};
