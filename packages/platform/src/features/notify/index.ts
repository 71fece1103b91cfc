import type { Feature } from '../feature.js';
import { notifyAdmin, notifyAdminDocs } from './notify.admin.js';
import { forgetNotifications } from './notify.repository.js';
import { NotifyService } from './notify.service.js';
import { DeliveryWorker } from './notify.worker.js';

/**
 * Coupon event notifications: COUPON.USE when a 代金券 is used (to the F18 URL) and COUPON.SEND
 * when a 商家券 is issued (to the B19 URL), written to the outbox in the transaction of the event
 * and delivered by a worker that retries on WeChat Pay's schedule.
 */
export const notifyFeature: Feature = {
  name: 'notify',
  setup(ctx) {
    const worker = new DeliveryWorker(ctx);
    const notify = new NotifyService(ctx, worker);
    ctx.services.notify = notify;

    ctx.hooks.on('favor.coupon.used', async (trx, e) => {
      const url = await ctx.services.favor.callbackUrl(e.mchid, trx);
      if (url === undefined) return;
      await notify.enqueue(trx, {
        mchid: e.mchid,
        notifyUrl: url,
        eventType: 'COUPON.USE',
        summary: '用券成功',
        resource: e.coupon,
      });
    });

    // "A merchant receives notifications only for batches it created" (coupon-api.md §4.18).
    ctx.hooks.on('busifavor.coupon.sent', async (trx, e) => {
      const url = await ctx.services.busifavor.callbackUrl(e.creatorMchid, trx);
      if (url === undefined) return;
      await notify.enqueue(trx, {
        mchid: e.creatorMchid,
        notifyUrl: url,
        eventType: 'COUPON.SEND',
        summary: '商家券领券通知',
        resource: e.resource,
      });
    });

    ctx.hooks.on('platform.reset', (trx) => forgetNotifications(trx));
  },
  admin: notifyAdmin,
  adminDocs: notifyAdminDocs,
  start(ctx) {
    const w = ctx.services.notify.worker;
    ctx.services.notify.onEnqueued = () => w.kick();
    // A clock moved by another instance (seen at the next refresh) may have made notifications due.
    ctx.platformClock.onChange((movedBy) => {
      if (movedBy > 0) w.kick();
    });
    w.start();
    return (hurry) => w.stop(hurry);
  },
};
