import type { PlatformContext } from '../../context.js';
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
