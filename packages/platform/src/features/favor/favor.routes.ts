import { every } from 'hono/combine';
import { parseRfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { MESSAGES } from '../../errors/messages.js';
import type { V3Router } from '../../http/env.js';
import { rateLimit } from '../../http/rate-limit.js';
import { ok } from '../../http/reply.js';
import { servesApi } from '../../http/request-note.js';
import { FieldReader, MCHID, parseBody } from '../../http/validator.js';
import { v3Faults } from '../faults/faults.transport.js';
import {
  APPID_RULE,
  COUPON_STATUSES,
  CREATOR_RULE,
  checkPathParam,
  parseCreateStock,
  parseSend,
  STOCK_STATUSES,
} from './favor.schema.js';

// The 代金券 APIs (coupon-api.md §3), mounted under /v3: F1–F12, F18, F19.

export function favorRoutes(router: V3Router, ctx: PlatformContext): void {
  const favor = ctx.services.favor;
  // Each API: its rate limit, then any fault configured for it (both after authentication).
  const limited = (api: string) =>
    servesApi(
      `favor.${api}`,
      every(rateLimit(ctx, `favor.${api}`, 'FREQUENCY_LIMIT_EXCEED'), v3Faults(ctx, `favor.${api}`)),
    );

  router.post('/marketing/favor/coupon-stocks', limited('stocks.create'), async (c) => {
    const input = parseBody(c.get('rawBody'), (b) => parseCreateStock(b, ctx.clock()));
    return ok(c, await favor.createStock(c.get('merchant').mchid, input));
  });

  for (const op of ['start', 'pause', 'restart', 'stop'] as const) {
    router.post(`/marketing/favor/stocks/:stock_id/${op}`, limited(`stocks.${op}`), async (c) => {
      const stockId = checkPathParam(new FieldReader(c.req.param(), 'uri_template'), 'stock_id', 20);
      const creator = parseBody(c.get('rawBody'), (b) =>
        b.string('/stock_creator_mchid', { ...CREATOR_RULE, pattern: MCHID }),
      );
      return ok(c, await favor[op](c.get('merchant').mchid, stockId, creator));
    });
  }

  router.get('/marketing/favor/stocks', limited('stocks.list'), async (c) => {
    const q = new FieldReader(c.req.query(), 'query');
    const createStart = q.string('/create_start_time', { max: 64 });
    const createEnd = q.string('/create_end_time', { max: 64 });
    const status = q.string('/status', { oneOf: STOCK_STATUSES });
    const query = {
      offset: q.integer('/offset', { required: true, min: 0 }),
      limit: q.integer('/limit', { required: true, min: 1, max: 10, maxText: MESSAGES.pageSizeTooLarge }),
      creator: q.string('/stock_creator_mchid', CREATOR_RULE),
      ...(createStart !== undefined ? { createStart: queryTime(q, '/create_start_time', createStart) } : {}),
      ...(createEnd !== undefined ? { createEnd: queryTime(q, '/create_end_time', createEnd) } : {}),
      ...(status !== undefined ? { status } : {}),
    };
    return ok(c, await favor.listStocks(c.get('merchant').mchid, query));
  });

  router.get('/marketing/favor/stocks/:stock_id', limited('stocks.get'), async (c) => {
    const stockId = checkPathParam(new FieldReader(c.req.param(), 'uri_template'), 'stock_id', 20);
    const creator = new FieldReader(c.req.query(), 'query').string('/stock_creator_mchid', CREATOR_RULE);
    return ok(c, await favor.getStock(c.get('merchant').mchid, stockId, creator));
  });

  for (const [path, kind, maxOffset, maxLimit] of [
    ['merchants', 'available_merchants', 1000, 50],
    ['items', 'available_items', 500, 100],
  ] as const) {
    router.get(`/marketing/favor/stocks/:stock_id/${path}`, limited(`stocks.${path}`), async (c) => {
      const stockId = checkPathParam(new FieldReader(c.req.param(), 'uri_template'), 'stock_id', 20);
      const q = new FieldReader(c.req.query(), 'query');
      const offset = q.integer('/offset', { required: true, min: 0, max: maxOffset });
      const limit = q.integer('/limit', { required: true, min: 1, max: maxLimit, maxText: MESSAGES.pageSizeTooLarge });
      const creator = q.string('/stock_creator_mchid', CREATOR_RULE);
      return ok(c, await favor.stockList(c.get('merchant').mchid, stockId, creator, kind, offset, limit));
    });
  }

  router.post('/marketing/favor/users/:openid/coupons', limited('coupons.send'), async (c) => {
    const openid = checkPathParam(new FieldReader(c.req.param(), 'uri_template'), 'openid', 128);
    const input = parseBody(c.get('rawBody'), (b) => parseSend(b, openid));
    return ok(c, await favor.send(c.get('merchant').mchid, input));
  });

  router.get('/marketing/favor/users/:openid/coupons/:coupon_id', limited('coupons.get'), async (c) => {
    const path = new FieldReader(c.req.param(), 'uri_template');
    const openid = checkPathParam(path, 'openid', 128);
    const couponId = checkPathParam(path, 'coupon_id', 20);
    const appid = new FieldReader(c.req.query(), 'query').string('/appid', APPID_RULE);
    return ok(c, await favor.getCoupon(c.get('merchant').mchid, openid, couponId, appid));
  });

  router.get('/marketing/favor/users/:openid/coupons', limited('coupons.list'), async (c) => {
    const openid = checkPathParam(new FieldReader(c.req.param(), 'uri_template'), 'openid', 128);
    const q = new FieldReader(c.req.query(), 'query');
    const optional = {
      stockId: q.string('/stock_id', { max: 20 }),
      status: q.string('/status', { oneOf: COUPON_STATUSES }),
      creator: q.string('/creator_mchid', { max: 20 }),
      sender: q.string('/sender_mchid', { max: 20 }),
      available: q.string('/available_mchid', { max: 20 }),
    };
    const query = {
      openid,
      appid: q.string('/appid', APPID_RULE),
      offset: q.integer('/offset', { min: 0 }) ?? 0,
      limit: q.integer('/limit', { min: 1, max: 100, maxText: MESSAGES.pageSizeTooLarge }) ?? 20,
      ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as {
        [K in keyof typeof optional]?: string;
      }),
    };
    return ok(c, await favor.listCoupons(c.get('merchant').mchid, query));
  });

  router.post('/marketing/favor/callbacks', limited('callbacks.set'), async (c) => {
    const { mchid, url, enabled } = parseBody(c.get('rawBody'), (b) => {
      const url = b.string('/notify_url', { required: true, requiredText: MESSAGES.callbackUrlRequired, max: 256 });
      checkNotifyUrl(b, url);
      const mchid = b.string('/mchid', { required: true, requiredText: MESSAGES.callbackMchidRequired, max: 20 });
      return { mchid, url, enabled: b.boolean('/switch') };
    });
    return ok(c, await favor.setCallback(c.get('merchant').mchid, mchid, url, enabled));
  });

  router.get('/marketing/favor/callbacks', limited('callbacks.get'), async (c) => {
    const mchid = new FieldReader(c.req.query(), 'query').string('/mchid', {
      required: true,
      requiredText: MESSAGES.callbackMchidRequired,
      max: 20,
    });
    return ok(c, await favor.getCallback(c.get('merchant').mchid, mchid));
  });
}

function queryTime(q: FieldReader, pointer: string, text: string): number {
  const ms = parseRfc3339(text);
  if (ms === undefined) q.answer(pointer, text, MESSAGES.badTimeFormat);
  return ms;
}

/**
 * Notification URLs must be https without a query (coupon-api.md §1.5). http:// is accepted on
 * loopback hosts only, so a developer's local receiver works.
 */
export function checkNotifyUrl(b: FieldReader, text: string): void {
  const url = URL.canParse(text) ? new URL(text) : b.fail('/notify_url', text, 'must be an absolute https URL');
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    b.fail('/notify_url', text, 'must use https (http is accepted on loopback only)');
  if (url.search) b.fail('/notify_url', text, 'must not carry query parameters');
}
