import { Type } from '@sinclair/typebox';
import type { PlatformContext } from '../../context.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { FieldReader, parseBody } from '../../http/validator.js';

/**
 * Admin routes for 商家券: what the real service configures outside its APIs. Attaching product
 * information makes a stock a 商品券 stock (the precondition of product-coupons/send); the stock
 * state can be paused, resumed or stopped (no public API exists for it); a user can delete a coupon; a
 * merchant's stocks can be listed.
 */
export function busifavorAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const { stocks, coupons } = ctx.services.busifavor;

  router.get('/busifavor/stocks', async (c) => {
    const q = new FieldReader(c.req.query(), 'query');
    const mchid = q.string('/mchid', { required: true, pattern: /^\d{1,32}$/, patternIssue: 'must be digits' });
    const offset = q.integer('/offset', { min: 0 }) ?? 0;
    const limit = q.integer('/limit', { min: 1, max: 100 }) ?? 20;
    return ok(c, await stocks.list(mchid, offset, limit));
  });

  router.put('/busifavor/stocks/:stock_id/product', async (c) => {
    const product = parseBody(c.get('rawBody'), (b) => ({
      product_id: b.string('/product_id', { required: true, max: 64 }),
      ...(b.has('/product_name') ? { product_name: b.string('/product_name', { max: 64 }) } : {}),
    }));
    return ok(c, await stocks.setProduct(c.req.param('stock_id'), product));
  });

  router.delete('/busifavor/stocks/:stock_id/product', async (c) =>
    ok(c, await stocks.setProduct(c.req.param('stock_id'), null)),
  );

  // The user deletes the coupon from 卡包: the only way a coupon becomes DELETED (§4.22).
  router.post('/busifavor/stocks/:stock_id/coupons/:coupon_code/delete', async (c) =>
    ok(c, await coupons.userDelete(c.req.param('stock_id'), c.req.param('coupon_code'))),
  );

  router.post('/busifavor/stocks/:stock_id/state', async (c) => {
    const state = parseBody(c.get('rawBody'), (b) =>
      b.string('/stock_state', { required: true, oneOf: ['RUNNING', 'PAUSED', 'STOPED'] }),
    ) as 'RUNNING' | 'PAUSED' | 'STOPED';
    return ok(c, await stocks.setState(c.req.param('stock_id'), state));
  });
}

const State = Type.Union([Type.Literal('RUNNING'), Type.Literal('PAUSED'), Type.Literal('STOPED')]);

export const busifavorAdminDocs: AdminDocs = {
  'GET /admin/busifavor/stocks': {
    summary: "A merchant's 商家券 stocks",
    query: Type.Object({
      mchid: Type.String({ pattern: '^\\d{1,32}$' }),
      offset: Type.Optional(Type.Integer({ minimum: 0 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    }),
  },
  'PUT /admin/busifavor/stocks/{stock_id}/product': {
    summary: 'Attach product information: the stock becomes a 商品券 stock',
    body: Type.Object({
      product_id: Type.String({ maxLength: 64 }),
      product_name: Type.Optional(Type.String({ maxLength: 64 })),
    }),
  },
  'DELETE /admin/busifavor/stocks/{stock_id}/product': { summary: 'Detach the product information' },
  'POST /admin/busifavor/stocks/{stock_id}/coupons/{coupon_code}/delete': {
    summary: 'The user deletes the coupon from 卡包 (it becomes DELETED)',
  },
  'POST /admin/busifavor/stocks/{stock_id}/state': {
    summary: 'Pause, resume or stop a stock',
    body: Type.Object({ stock_state: State }),
  },
};
