import { Type } from '@sinclair/typebox';
import type { PlatformContext } from '../../context.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { FieldReader, MCHID, parseBody } from '../../http/validator.js';
import type { DeliverySettings } from './notify.settings.js';

/** Admin routes: the outbox and every delivery attempt, redelivery and triggering now, and the delivery settings. */
export function notifyAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const notify = ctx.services.notify;

  router.get('/notifications', async (c) => {
    const q = new FieldReader(c.req.query(), 'query');
    const filter = {
      status: q.string('/status', { oneOf: ['PENDING', 'DELIVERED', 'FAILED'] }),
      eventType: q.string('/event_type', { max: 32 }),
      mchid: q.string('/mchid', { max: 32 }),
    };
    return ok(
      c,
      await notify.list({
        ...(Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as {
          [K in keyof typeof filter]?: string;
        }),
        limit: q.integer('/limit', { min: 1, max: 200 }) ?? 50,
        offset: q.integer('/offset', { min: 0 }) ?? 0,
      }),
    );
  });

  router.get('/notifications/settings', async (c) => ok(c, settingsJson(await notify.settings())));

  router.put('/notifications/settings', async (c) => {
    const { b, change } = parseBody(c.get('rawBody'), (b) => {
      const change: Partial<DeliverySettings> = {};
      const delays = b.integers('/retry_delays_ms', { maxItems: 100, item: { min: 0, max: 7 * 86_400_000 } });
      const poll = b.integer('/poll_interval_ms', { min: 10, max: 3_600_000 });
      const lease = b.integer('/lease_ms', { min: 1000, max: 3_600_000 });
      const timeout = b.integer('/timeout_ms', { min: 100, max: 60_000 });
      if (delays !== undefined) change.retryDelaysMs = delays;
      if (poll !== undefined) change.pollIntervalMs = poll;
      if (lease !== undefined) change.leaseMs = lease;
      if (timeout !== undefined) change.timeoutMs = timeout;
      return { b, change };
    });
    const current = await notify.settings();
    // A lease shorter than a delivery could let a second instance send the same attempt.
    if ((change.leaseMs ?? current.leaseMs) <= (change.timeoutMs ?? current.timeoutMs) + 1000)
      b.fail('/lease_ms', change.leaseMs ?? current.leaseMs, 'must exceed timeout_ms by more than 1000');
    return ok(c, settingsJson(await notify.configure(change)));
  });

  router.get('/notifications/:id', async (c) => ok(c, await notify.get(c.req.param('id'))));

  router.post('/notifications/trigger', async (c) => {
    const t = parseBody(c.get('rawBody'), (b) => ({
      couponId: b.string('/coupon_id', { required: true, max: 128 }),
      eventType: b.string('/event_type', { required: true, oneOf: ['COUPON.USE', 'COUPON.SEND'] }) as
        | 'COUPON.USE'
        | 'COUPON.SEND',
      mchid: b.string('/mchid', { max: 32, pattern: MCHID }),
    }));
    return ok(c, await notify.trigger(t));
  });

  router.post('/notifications/:id/redeliver', async (c) => ok(c, await notify.redeliver(c.req.param('id'))));
}

function settingsJson(s: DeliverySettings) {
  return {
    retry_delays_ms: s.retryDelaysMs,
    poll_interval_ms: s.pollIntervalMs,
    lease_ms: s.leaseMs,
    timeout_ms: s.timeoutMs,
  };
}

const Notification = Type.Object({ id: Type.String() });
const Settings = Type.Object({
  retry_delays_ms: Type.Array(Type.Integer({ minimum: 0 })),
  poll_interval_ms: Type.Integer(),
  lease_ms: Type.Integer(),
  timeout_ms: Type.Integer(),
});

export const notifyAdminDocs: AdminDocs = {
  'GET /admin/notifications': {
    summary: 'The notification outbox with every delivery attempt, newest first',
    query: Type.Object({
      status: Type.Optional(Type.Union([Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')])),
      event_type: Type.Optional(Type.String({ maxLength: 32 })),
      mchid: Type.Optional(Type.String({ maxLength: 32 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      offset: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    response: Type.Object({ data: Type.Array(Notification), limit: Type.Integer(), offset: Type.Integer() }),
  },
  'GET /admin/notifications/settings': { summary: 'The delivery settings', response: Settings },
  'PUT /admin/notifications/settings': {
    summary: 'Change the delivery settings (lease_ms must exceed timeout_ms by more than 1000)',
    body: Type.Partial(Settings),
    response: Settings,
  },
  'GET /admin/notifications/{id}': { summary: 'A notification and its attempts', response: Notification },
  'POST /admin/notifications/trigger': {
    summary: "Send a coupon's COUPON.USE or COUPON.SEND notification now",
    body: Type.Object({
      coupon_id: Type.String({ maxLength: 128 }),
      event_type: Type.Union([Type.Literal('COUPON.USE'), Type.Literal('COUPON.SEND')]),
      mchid: Type.Optional(Type.String({ maxLength: 32 })),
    }),
    response: Notification,
  },
  'POST /admin/notifications/{id}/redeliver': { summary: 'Deliver a notification again now', response: Notification },
};
