import { every } from 'hono/combine';
import { parseRfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { route } from '../../http/contract.js';
import type { V3Router } from '../../http/env.js';
import { rateLimit } from '../../http/rate-limit.js';
import { servesApi } from '../../http/request-note.js';
import { v3Faults } from '../faults/faults.transport.js';
import {
  CALLBACK,
  CALLBACK_SET,
  CALLBACKS_BODY,
  CALLBACKS_QUERY,
  COUPON,
  COUPON_PAGE,
  COUPON_PATH,
  COUPON_QUERY,
  CREATE_STOCK_BODY,
  CREATOR_BODY,
  createStockInput,
  pagingQuery,
  SEND_BODY,
  SENT,
  STOCK,
  STOCK_CREATED,
  STOCK_LIST_QUERY,
  STOCK_PAGE,
  STOCK_PATH,
  STOCK_QUERY,
  STOCK_STATE_CHANGED,
  STRING_PAGE,
  sendInput,
  USER_COUPONS_QUERY,
  USER_PATH,
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

  route(
    router,
    'POST /v3/marketing/favor/coupon-stocks',
    {
      summary: '创建代金券批次',
      before: limited('stocks.create'),
      body: CREATE_STOCK_BODY,
      response: STOCK_CREATED,
    },
    ({ body }, c) => favor.createStock(c.get('merchant').mchid, createStockInput(body, ctx.clock())),
  );

  const state = <O extends keyof typeof STOCK_STATE_CHANGED>(op: O, summary: string) => ({
    summary,
    before: limited(`stocks.${op}`),
    params: STOCK_PATH,
    body: CREATOR_BODY,
    response: STOCK_STATE_CHANGED[op],
  });
  type StateInput = { params: { stock_id: string }; body: { stock_creator_mchid: string } };
  const args = ({ params, body }: StateInput, mchid: string) =>
    [mchid, params.stock_id, body.stock_creator_mchid] as const;
  route(router, 'POST /v3/marketing/favor/stocks/{stock_id}/start', state('start', '激活代金券批次'), (input, c) =>
    favor.start(...args(input, c.get('merchant').mchid)),
  );
  route(router, 'POST /v3/marketing/favor/stocks/{stock_id}/pause', state('pause', '暂停代金券批次'), (input, c) =>
    favor.pause(...args(input, c.get('merchant').mchid)),
  );
  route(router, 'POST /v3/marketing/favor/stocks/{stock_id}/restart', state('restart', '重启代金券批次'), (input, c) =>
    favor.restart(...args(input, c.get('merchant').mchid)),
  );
  route(router, 'POST /v3/marketing/favor/stocks/{stock_id}/stop', state('stop', '终止代金券批次'), (input, c) =>
    favor.stop(...args(input, c.get('merchant').mchid)),
  );

  route(
    router,
    'GET /v3/marketing/favor/stocks',
    { summary: '条件查询批次列表', before: limited('stocks.list'), query: STOCK_LIST_QUERY, response: STOCK_PAGE },
    ({ query: q }, c) =>
      favor.listStocks(c.get('merchant').mchid, {
        offset: q.offset,
        limit: q.limit,
        creator: q.stock_creator_mchid,
        ...(q.create_start_time !== undefined ? { createStart: parseRfc3339(q.create_start_time) as number } : {}),
        ...(q.create_end_time !== undefined ? { createEnd: parseRfc3339(q.create_end_time) as number } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
      }),
  );

  route(
    router,
    'GET /v3/marketing/favor/stocks/{stock_id}',
    {
      summary: '查询批次详情',
      before: limited('stocks.get'),
      params: STOCK_PATH,
      query: STOCK_QUERY,
      response: STOCK,
    },
    ({ params, query }, c) => favor.getStock(c.get('merchant').mchid, params.stock_id, query.stock_creator_mchid),
  );

  for (const [path, kind, maxOffset, maxLimit, summary] of [
    ['merchants', 'available_merchants', 1000, 50, '查询代金券可用商户'],
    ['items', 'available_items', 500, 100, '查询代金券可用单品'],
  ] as const) {
    route(
      router,
      `GET /v3/marketing/favor/stocks/{stock_id}/${path}`,
      {
        summary,
        before: limited(`stocks.${path}`),
        params: STOCK_PATH,
        query: pagingQuery(maxOffset, maxLimit),
        response: STRING_PAGE,
      },
      ({ params, query }, c) =>
        favor.stockList(
          c.get('merchant').mchid,
          params.stock_id,
          query.stock_creator_mchid,
          kind,
          query.offset,
          query.limit,
        ),
    );
  }

  route(
    router,
    'POST /v3/marketing/favor/users/{openid}/coupons',
    {
      summary: '发放代金券',
      before: limited('coupons.send'),
      params: USER_PATH,
      body: SEND_BODY,
      response: SENT,
      example: {
        request: {
          stock_id: '9856000',
          out_request_no: '89560002019101000121',
          appid: 'wx233544546545989',
          stock_creator_mchid: '8956000',
        },
        response: { coupon_id: '9867041' },
      },
    },
    ({ params, body }, c) => favor.send(c.get('merchant').mchid, sendInput(params.openid, body)),
  );

  route(
    router,
    'GET /v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
    {
      summary: '查询代金券详情',
      before: limited('coupons.get'),
      params: COUPON_PATH,
      query: COUPON_QUERY,
      response: COUPON,
    },
    ({ params, query }, c) => favor.getCoupon(c.get('merchant').mchid, params.openid, params.coupon_id, query.appid),
  );

  route(
    router,
    'GET /v3/marketing/favor/users/{openid}/coupons',
    {
      summary: '根据商户号查用户的券',
      before: limited('coupons.list'),
      params: USER_PATH,
      query: USER_COUPONS_QUERY,
      response: COUPON_PAGE,
    },
    ({ params, query: q }, c) =>
      favor.listCoupons(c.get('merchant').mchid, {
        openid: params.openid,
        appid: q.appid,
        offset: q.offset ?? 0,
        limit: q.limit ?? 20,
        ...(q.stock_id !== undefined ? { stockId: q.stock_id } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.creator_mchid !== undefined ? { creator: q.creator_mchid } : {}),
        ...(q.sender_mchid !== undefined ? { sender: q.sender_mchid } : {}),
        ...(q.available_mchid !== undefined ? { available: q.available_mchid } : {}),
      }),
  );

  route(
    router,
    'POST /v3/marketing/favor/callbacks',
    { summary: '设置消息通知地址', before: limited('callbacks.set'), body: CALLBACKS_BODY, response: CALLBACK_SET },
    ({ body }, c) => favor.setCallback(c.get('merchant').mchid, body.mchid, body.notify_url, body.switch),
  );

  route(
    router,
    'GET /v3/marketing/favor/callbacks',
    { summary: '查询消息通知地址', before: limited('callbacks.get'), query: CALLBACKS_QUERY, response: CALLBACK },
    ({ query }, c) => favor.getCallback(c.get('merchant').mchid, query.mchid),
  );
}
