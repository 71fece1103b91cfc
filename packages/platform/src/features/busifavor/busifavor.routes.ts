import { every } from 'hono/combine';
import type { PlatformContext } from '../../context.js';
import type { V3Router } from '../../http/env.js';
import { rateLimit } from '../../http/rate-limit.js';
import { noContent, ok } from '../../http/reply.js';
import { servesApi } from '../../http/request-note.js';
import { FieldReader, OPENID, parseBody } from '../../http/validator.js';
import { v3Faults } from '../faults/faults.transport.js';
import { notifyUrlProblem } from '../notify/notify-url.js';
import {
  CODE_STATUSES,
  COUPON_CODE,
  COUPON_STATES,
  checkPath,
  parseAssociate,
  parseBudget,
  parseCreateStock,
  parseDeactivate,
  parseModifyStock,
  parseReturn,
  parseSend,
  parseUpload,
  parseUse,
  requestNo,
} from './busifavor.schema.js';

// The 商家券 APIs (coupon-api.md §4), mounted under /v3: B1–B10, B12–B20. Transport only.

const BASE = '/marketing/busifavor';

export function busifavorRoutes(router: V3Router, ctx: PlatformContext): void {
  const { stocks, codes, coupons } = ctx.services.busifavor;
  // Each API: its rate limit, then any fault configured for it (both after authentication).
  const limited = (api: string) =>
    servesApi(
      `busifavor.${api}`,
      every(rateLimit(ctx, `busifavor.${api}`, 'FREQUENCY_LIMITED'), v3Faults(ctx, `busifavor.${api}`)),
    );
  const path = (c: { req: { param: () => Record<string, string> } }) => new FieldReader(c.req.param(), 'uri_template');
  const stockIdOf = (c: { req: { param: () => Record<string, string> } }) => checkPath(path(c), 'stock_id', 20);
  const codeOf = (c: { req: { param: () => Record<string, string> } }) =>
    checkPath(path(c), 'coupon_code', 32, COUPON_CODE);

  router.post(`${BASE}/stocks`, limited('stocks.create'), async (c) => {
    const input = parseBody(c.get('rawBody'), (b) => parseCreateStock(b, ctx.clock()));
    return ok(c, await stocks.create(c.get('merchant').mchid, input));
  });

  router.get(`${BASE}/stocks/:stock_id`, limited('stocks.get'), async (c) =>
    ok(c, await stocks.get(c.get('merchant').mchid, stockIdOf(c))),
  );

  router.patch(`${BASE}/stocks/:stock_id`, limited('stocks.modify'), async (c) => {
    const stockId = stockIdOf(c);
    await stocks.modify(c.get('merchant').mchid, stockId, parseBody(c.get('rawBody'), parseModifyStock));
    return noContent(c);
  });

  router.patch(`${BASE}/stocks/:stock_id/budget`, limited('stocks.budget'), async (c) => {
    const stockId = stockIdOf(c);
    return ok(c, await stocks.budget(c.get('merchant').mchid, stockId, parseBody(c.get('rawBody'), parseBudget)));
  });

  router.post(`${BASE}/stocks/:stock_id/couponcodes`, limited('codes.upload'), async (c) => {
    const stockId = stockIdOf(c);
    return ok(c, await codes.upload(c.get('merchant').mchid, stockId, parseBody(c.get('rawBody'), parseUpload)));
  });

  router.get(`${BASE}/stocks/:stock_id/couponcodes`, limited('codes.list'), async (c) => {
    const stockId = stockIdOf(c);
    const q = new FieldReader(c.req.query(), 'query');
    q.string('/appid', { max: 32 });
    const status = q.string('/status', { oneOf: CODE_STATUSES });
    return ok(
      c,
      await codes.list(c.get('merchant').mchid, stockId, {
        offset: q.integer('/offset', { min: 0 }) ?? 0,
        limit: q.integer('/limit', { min: 1, max: 100 }) ?? 20,
        ...(status !== undefined ? { status } : {}),
      }),
    );
  });

  router.get(`${BASE}/stocks/:stock_id/couponcodes/:coupon_code`, limited('codes.get'), async (c) => {
    const stockId = stockIdOf(c);
    const code = codeOf(c);
    new FieldReader(c.req.query(), 'query').string('/appid', { max: 32 });
    return ok(c, await codes.get(c.get('merchant').mchid, stockId, code));
  });

  router.delete(`${BASE}/stocks/:stock_id/couponcodes/:coupon_code`, limited('codes.delete'), async (c) => {
    const stockId = stockIdOf(c);
    const code = codeOf(c);
    const no = requestNo(new FieldReader(c.req.query(), 'query'), '/delete_request_no');
    return ok(c, await codes.remove(c.get('merchant').mchid, stockId, code, no));
  });

  router.post(`${BASE}/coupons/send`, limited('coupons.send'), async (c) =>
    // Wrapped as the official generated SDKs decode it (wechatpay-go merchantexclusivecoupon
    // SendCouponResponse, wechatpay-java): a flat answer gives their typed call a nil result.
    ok(c, {
      send_coupon_result: await coupons.send(
        c.get('merchant').mchid,
        parseBody(c.get('rawBody'), (b) => parseSend(b, false)),
      ),
    }),
  );

  router.post(`${BASE}/product-coupons/send`, limited('product-coupons.send'), async (c) =>
    ok(
      c,
      await coupons.send(
        c.get('merchant').mchid,
        parseBody(c.get('rawBody'), (b) => parseSend(b, true)),
      ),
    ),
  );

  router.post(`${BASE}/coupons/use`, limited('coupons.use'), async (c) =>
    ok(c, await coupons.use(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseUse))),
  );

  router.get(`${BASE}/users/:openid/coupons`, limited('coupons.list'), async (c) => {
    const openid = checkPath(path(c), 'openid', 128, OPENID);
    const q = new FieldReader(c.req.query(), 'query');
    const optional = {
      stockId: q.string('/stock_id', { max: 20 }),
      state: q.string('/coupon_state', { oneOf: COUPON_STATES }),
      creator: q.string('/creator_merchant', { max: 32 }),
      belong: q.string('/belong_merchant', { max: 15 }),
      sender: q.string('/sender_merchant', { max: 32 }),
    };
    return ok(
      c,
      await coupons.list(c.get('merchant').mchid, {
        openid,
        appid: q.string('/appid', { required: true, max: 32 }),
        offset: q.integer('/offset', { min: 0 }) ?? 0,
        limit: q.integer('/limit', { min: 1, max: 50 }) ?? 20,
        ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as {
          [K in keyof typeof optional]?: string;
        }),
      }),
    );
  });

  router.get(`${BASE}/users/:openid/coupons/:coupon_code/appids/:appid`, limited('coupons.get'), async (c) => {
    const p = path(c);
    const openid = checkPath(p, 'openid', 128, OPENID);
    const code = checkPath(p, 'coupon_code', 32, COUPON_CODE);
    const appid = checkPath(p, 'appid', 32);
    return ok(c, await coupons.get(c.get('merchant').mchid, openid, code, appid));
  });

  router.post(`${BASE}/coupons/associate`, limited('coupons.associate'), async (c) =>
    ok(c, await coupons.associate(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseAssociate), true)),
  );

  router.post(`${BASE}/coupons/disassociate`, limited('coupons.disassociate'), async (c) =>
    ok(c, await coupons.associate(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseAssociate), false)),
  );

  router.post(`${BASE}/coupons/return`, limited('coupons.return'), async (c) =>
    ok(c, await coupons.giveBack(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseReturn))),
  );

  router.post(`${BASE}/coupons/deactivate`, limited('coupons.deactivate'), async (c) =>
    ok(c, await coupons.deactivate(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseDeactivate))),
  );

  router.post(`${BASE}/callbacks`, limited('callbacks.set'), async (c) => {
    const { mchid, url } = parseBody(c.get('rawBody'), (b) => {
      const mchid = b.string('/mchid', { min: 8, max: 15, pattern: /^\d+$/, patternIssue: 'must be digits' });
      const url = b.string('/notify_url', { required: true, min: 10, max: 256 });
      const problem = notifyUrlProblem(url);
      if (problem) b.fail('/notify_url', url, problem);
      return { mchid, url };
    });
    return ok(c, await stocks.setCallback(c.get('merchant').mchid, mchid, url));
  });

  router.get(`${BASE}/callbacks`, limited('callbacks.get'), async (c) => {
    const mchid = new FieldReader(c.req.query(), 'query').string('/mchid', { max: 15 });
    return ok(c, await stocks.getCallback(c.get('merchant').mchid, mchid));
  });
}
