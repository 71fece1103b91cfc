import type { PlatformContext } from '../../context.js';
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
