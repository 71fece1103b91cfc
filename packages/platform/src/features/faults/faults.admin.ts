import { Type } from '@sinclair/typebox';
import type { PlatformContext } from '../../context.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
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

const Rule = Type.Object({ id: Type.String(), action: Type.String() });

export const faultsAdminDocs: AdminDocs = {
  'POST /admin/faults': {
    summary: 'Add a fault rule: which requests it matches and what it answers instead',
    body: Type.Object({
      api: Type.Optional(Type.String({ maxLength: 100, description: 'An API name, as GET /admin/faults lists them' })),
      mchid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
      stock_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      openid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      out_request_no: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      action: Type.Union([
        Type.Literal('error'),
        Type.Literal('latency'),
        Type.Literal('close'),
        Type.Literal('drop_after_commit'),
      ]),
      error_code: Type.Optional(
        Type.String({ maxLength: 64, description: 'With action error: a code the API documents' }),
      ),
      latency_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 120000 })),
      times: Type.Optional(Type.Integer({ minimum: 1 })),
      probability: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
      seed: Type.Optional(Type.Integer({ minimum: 0, description: 'With probability: repeatable choices' })),
    }),
    response: Rule,
  },
  'GET /admin/faults': {
    summary: 'The fault rules and the API names a rule can match',
    response: Type.Object({ data: Type.Array(Rule), apis: Type.Array(Type.String()) }),
  },
  'GET /admin/faults/{id}': { summary: 'A fault rule', response: Rule },
  'DELETE /admin/faults/{id}': {
    summary: 'Remove a fault rule',
    response: Type.Object({ id: Type.String(), deleted: Type.Literal(true) }),
  },
  'DELETE /admin/faults': { summary: 'Remove every fault rule', response: Type.Object({ deleted: Type.Integer() }) },
};
