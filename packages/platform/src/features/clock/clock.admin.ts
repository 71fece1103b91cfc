import { Type } from '@sinclair/typebox';
import type { PlatformContext } from '../../context.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
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

const Clock = Type.Object({
  now: Type.String(),
  now_ms: Type.Integer(),
  offset_seconds: Type.Integer(),
  real_now: Type.String(),
});

export const clockAdminDocs: AdminDocs = {
  'GET /admin/clock': { summary: 'The platform clock', response: Clock },
  'POST /admin/clock/advance': {
    summary: 'Move the clock forward; due expiries and notifications are applied before the answer',
    body: Type.Object({
      by: Type.String({ maxLength: 40, description: 'Days, hours, minutes, seconds: 25h, 1d2h, 90m' }),
    }),
    response: Clock,
  },
  'POST /admin/clock/set': {
    summary: 'Set the clock to a time (RFC 3339)',
    body: Type.Object({ time: Type.String({ maxLength: 40, format: 'date-time' }) }),
    response: Clock,
  },
  'POST /admin/clock/resume': { summary: 'Back to real time', response: Clock },
};
