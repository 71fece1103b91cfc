import { Type } from '@sinclair/typebox';
import { parseRfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { type FieldReader, MCHID, parseBody } from '../../http/validator.js';
import type { UseCouponInput } from './favor.coupons.js';

/** Admin routes for 代金券: mark a coupon used (a simulated payment), authorize another sender. */
export function favorAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const favor = ctx.services.favor;

  router.post('/favor/coupons/:coupon_id/use', async (c) => {
    const use = parseBody(c.get('rawBody') || '{}', (b: FieldReader) => {
      const use: UseCouponInput = {};
      const transactionId = b.string('/transaction_id', { max: 32 });
      const consumeMchid = b.string('/consume_mchid', { max: 20, pattern: MCHID });
      const consumeTime = b.string('/consume_time', { max: 32 });
      if (transactionId) use.transactionId = transactionId;
      if (consumeMchid) use.consumeMchid = consumeMchid;
      if (consumeTime) {
        const ms = parseRfc3339(consumeTime);
        if (ms === undefined) b.fail('/consume_time', consumeTime, 'must be RFC 3339');
        use.consumeTime = ms;
      }
      return use;
    });
    return ok(c, await favor.markUsed(c.req.param('coupon_id'), use));
  });

  // 指定面额发券 (coupon_value/coupon_minimum on send): a stock setting, since no public API makes one.
  router.put('/favor/stocks/:stock_id/specified-value', async (c) => {
    const on = parseBody(c.get('rawBody'), (b) => b.boolean('/enabled', { required: true }));
    return ok(c, await favor.setSpecifiedValue(c.req.param('stock_id'), on));
  });

  router.post('/favor/stocks/:stock_id/senders', async (c) => {
    const mchid = parseBody(c.get('rawBody'), (b) => b.string('/mchid', { required: true, max: 20, pattern: MCHID }));
    await favor.authorizeSender(c.req.param('stock_id'), mchid);
    return ok(c, { stock_id: c.req.param('stock_id'), mchid });
  });
}

export const favorAdminDocs: AdminDocs = {
  'POST /admin/favor/coupons/{coupon_id}/use': {
    summary: 'Mark a 代金券 coupon used, as a payment would',
    body: Type.Object({
      transaction_id: Type.Optional(Type.String({ maxLength: 32 })),
      consume_mchid: Type.Optional(Type.String({ maxLength: 20 })),
      consume_time: Type.Optional(Type.String({ format: 'date-time' })),
    }),
  },
  'PUT /admin/favor/stocks/{stock_id}/specified-value': {
    summary: 'Allow coupon_value/coupon_minimum on send (指定面额发券) for a stock',
    body: Type.Object({ enabled: Type.Boolean() }),
  },
  'POST /admin/favor/stocks/{stock_id}/senders': {
    summary: 'Authorize another merchant to send coupons of a stock',
    body: Type.Object({ mchid: Type.String({ maxLength: 20 }) }),
    response: Type.Object({ stock_id: Type.String(), mchid: Type.String() }),
  },
};
