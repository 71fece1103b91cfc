import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FavorFlowResponse } from '@wxcoupon/sdk';
import type { Context } from 'hono';
import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import { type RouteInput, route } from '../../http/contract.js';
import type { AppRouter, V3Env, V3Router } from '../../http/env.js';
import { findStock, flowLinkSecret, usedCoupons } from './favor.repository.js';
import { FLOW, STOCK_PATH } from './favor.schema.js';

// F13/F14: links to a stock's use-flow and refund-flow files (coupon-api.md §3.9). Only the creator may
// ask, from 10 hours after the stock ended. The link is valid 30 s and carries an HMAC, so any instance
// sharing the database can serve it and nothing is kept in memory. The CSV layout is not published; the
// platform's columns are named in the header row. Coupons are never refunded here, so the refund
// flow has a header only.

const KINDS = { 'use-flow': 'use', 'refund-flow': 'refund' } as const;
type Kind = keyof typeof KINDS;
const SUMMARIES: Record<Kind, string> = { 'use-flow': '下载批次核销明细', 'refund-flow': '下载批次退款明细' };
const LINK_MS = 30_000;
const AFTER_END_MS = 10 * 3600_000;

export function flowRoutes(router: V3Router, ctx: PlatformContext): void {
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const spec = { summary: SUMMARIES[kind], params: STOCK_PATH, response: FLOW };
    const serve: Handler = async ({ params }, c) => {
      const stockId = params.stock_id;
      const stock = await findStock(ctx.db, stockId);
      if (!stock) throw new ApiError('RESOURCE_NOT_EXISTS', '批次不存在');
      if (stock.creator_mchid !== c.get('merchant').mchid)
        throw new ApiError('REQUEST_BLOCKED', '仅批次创建商户可下载明细');
      const now = ctx.clock();
      if (now < stock.available_end_ms + AFTER_END_MS) {
        throw new ApiError(
          'INVALID_REQUEST',
          `批次结束10小时后可下载明细 (from ${rfc3339(stock.available_end_ms + AFTER_END_MS)})`,
        );
      }
      const file = await flowFile(ctx, stockId, kind);
      const expires = now + LINK_MS;
      const token = await sign(ctx, `${kind}:${stockId}:${expires}`);
      const origin = new URL(c.req.url).origin;
      return {
        url: `${origin}/downloads/favor/${stockId}/${kind}?expires=${expires}&token=${token}`,
        hash_value: createHash('sha1').update(file).digest('hex'),
        hash_type: 'SHA1',
      };
    };
    if (kind === 'use-flow') route(router, 'GET /v3/marketing/favor/stocks/{stock_id}/use-flow', spec, serve);
    else route(router, 'GET /v3/marketing/favor/stocks/{stock_id}/refund-flow', spec, serve);
  }
}

type Handler = (
  input: RouteInput<typeof STOCK_PATH, undefined, undefined>,
  c: Context<V3Env>,
) => Promise<FavorFlowResponse>;

/** The download itself: outside APIv3 (unsigned, as on the real service), guarded by the link's HMAC. */
export function flowDownloads(app: AppRouter, ctx: PlatformContext): void {
  app.get('/downloads/favor/:stock_id/:kind', async (c) => {
    const kind = c.req.param('kind') as Kind;
    const stockId = c.req.param('stock_id');
    const expires = Number(c.req.query('expires'));
    const given = Buffer.from(c.req.query('token') ?? '');
    const expected = Buffer.from(await sign(ctx, `${kind}:${stockId}:${expires}`));
    if (!(kind in KINDS) || given.length !== expected.length || !timingSafeEqual(given, expected))
      return c.body(null, 404);
    if (!(expires > ctx.clock())) throw new ApiError('INVALID_REQUEST', '下载链接已过期，请重新获取');
    return c.body(await flowFile(ctx, stockId, kind), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });
}

async function flowFile(ctx: PlatformContext, stockId: string, kind: Kind): Promise<string> {
  const header = 'stock_id,coupon_id,coupon_amount,transaction_minimum,consume_time,consume_mchid,transaction_id\n';
  if (kind === 'refund-flow') return header;
  const rows = await usedCoupons(ctx.db, stockId);
  const lines = rows.map((r) => {
    const c = JSON.parse(r.consume_json ?? '{}') as {
      consume_time?: string;
      consume_mchid?: string;
      transaction_id?: string;
    };
    return [
      stockId,
      r.coupon_id,
      r.coupon_amount,
      r.transaction_minimum,
      c.consume_time ?? '',
      c.consume_mchid ?? '',
      c.transaction_id ?? '',
    ].join(',');
  });
  return header + lines.map((l) => `${l}\n`).join('');
}

async function sign(ctx: PlatformContext, data: string): Promise<string> {
  const value = await flowLinkSecret(ctx.db, randomBytes(32).toString('hex'));
  return createHmac('sha256', value).update(data).digest('base64url');
}
