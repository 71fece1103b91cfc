import { every } from 'hono/combine';
import type { PlatformContext } from '../../context.js';
import { route } from '../../http/contract.js';
import type { V3Router } from '../../http/env.js';
import { rateLimit } from '../../http/rate-limit.js';
import { servesApi } from '../../http/request-note.js';
import { FieldReader, OPENID, parseBody } from '../../http/validator.js';
import { v3Faults } from '../faults/faults.transport.js';
import { notifyUrlProblem } from '../notify/notify-url.js';
import * as schemas from './busifavor.schema.js';
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
  parseUpload,
  parseUse,
  requestNo,
} from './busifavor.schema.js';

// The 商家券 APIs (coupon-api.md §4), mounted under /v3: B1–B10, B12–B20. Transport only.

// The services build stocks and coupons from the stored request bodies, as plain records; the answer
// the route sends is the one its key names, and every answer the tests receive is checked against
// the route's response schema (test/helpers/conformance.ts).
const stored = <T>(view: object): T => view as T;

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

  route(
    router,
    'POST /v3/marketing/busifavor/stocks',
    { summary: '创建商家券', before: limited('stocks.create'), response: schemas.STOCK_CREATED },
    async (_, c) => {
      const input = parseBody(c.get('rawBody'), (b) => parseCreateStock(b, ctx.clock()));
      return stocks.create(c.get('merchant').mchid, input);
    },
  );

  route(
    router,
    'GET /v3/marketing/busifavor/stocks/{stock_id}',
    { summary: '查询商家券详情', before: limited('stocks.get'), response: schemas.STOCK },
    async (_, c) => stored(await stocks.get(c.get('merchant').mchid, stockIdOf(c))),
  );

  route(
    router,
    'PATCH /v3/marketing/busifavor/stocks/{stock_id}',
    { summary: '修改商家券基本信息', before: limited('stocks.modify'), response: null },
    async (_, c) => {
      const stockId = stockIdOf(c);
      await stocks.modify(c.get('merchant').mchid, stockId, parseBody(c.get('rawBody'), parseModifyStock));
      return undefined;
    },
  );

  route(
    router,
    'PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget',
    { summary: '修改批次预算', before: limited('stocks.budget'), response: schemas.BUDGET },
    async (_, c) => {
      const stockId = stockIdOf(c);
      return stocks.budget(c.get('merchant').mchid, stockId, parseBody(c.get('rawBody'), parseBudget));
    },
  );

  route(
    router,
    'POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes',
    { summary: '上传预存code', before: limited('codes.upload'), response: schemas.UPLOADED },
    async (_, c) => {
      const stockId = stockIdOf(c);
      return codes.upload(c.get('merchant').mchid, stockId, parseBody(c.get('rawBody'), parseUpload));
    },
  );

  route(
    router,
    'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes',
    { summary: '查询预存code列表', before: limited('codes.list'), response: schemas.CODE_PAGE },
    async (_, c) => {
      const stockId = stockIdOf(c);
      const q = new FieldReader(c.req.query(), 'query');
      q.string('/appid', { max: 32 });
      const status = q.string('/status', { oneOf: CODE_STATUSES });
      return stored(
        await codes.list(c.get('merchant').mchid, stockId, {
          offset: q.integer('/offset', { min: 0 }) ?? 0,
          limit: q.integer('/limit', { min: 1, max: 100 }) ?? 20,
          ...(status !== undefined ? { status } : {}),
        }),
      );
    },
  );

  route(
    router,
    'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}',
    { summary: '查询预存code详情', before: limited('codes.get'), response: schemas.CODE_DETAIL },
    async (_, c) => {
      const stockId = stockIdOf(c);
      const code = codeOf(c);
      new FieldReader(c.req.query(), 'query').string('/appid', { max: 32 });
      return stored(await codes.get(c.get('merchant').mchid, stockId, code));
    },
  );

  route(
    router,
    'DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}',
    { summary: '删除预存code', before: limited('codes.delete'), response: schemas.CODE_DELETED },
    async (_, c) => {
      const stockId = stockIdOf(c);
      const code = codeOf(c);
      const no = requestNo(new FieldReader(c.req.query(), 'query'), '/delete_request_no');
      return codes.remove(c.get('merchant').mchid, stockId, code, no);
    },
  );

  route(
    router,
    'POST /v3/marketing/busifavor/coupons/send',
    {
      summary: '发放商家券',
      before: limited('coupons.send'),
      body: schemas.SEND_BODY,
      response: schemas.SENT,
    },
    async ({ body }, c) =>
      // Wrapped as the official generated SDKs decode it (wechatpay-go merchantexclusivecoupon
      // SendCouponResponse, wechatpay-java): a flat answer gives their typed call a nil result.
      ({
        send_coupon_result: await coupons.send(c.get('merchant').mchid, schemas.sendInput(body)),
      }),
  );

  route(
    router,
    'POST /v3/marketing/busifavor/product-coupons/send',
    {
      summary: '向用户发放商品券',
      before: limited('product-coupons.send'),
      body: schemas.PRODUCT_SEND_BODY,
      response: schemas.PRODUCT_SENT,
      example: {
        request: {
          openid: 'xsd3434454567676',
          appid: 'wx1234567889999',
          stock_id: '12312354',
          out_request_no: '2335465',
          coupon_code: '202007019999',
          coupon_type: 'NORMAL',
          member_card_id: 'pbLatjvWOibDc5-TBnbUk1pD12o0',
        },
        response: { stock_id: '12312354', coupon_code: '202007019999', out_request_no: '2335465' },
      },
    },
    async ({ body }, c) => coupons.send(c.get('merchant').mchid, schemas.productSendInput(body)),
  );

  route(
    router,
    'POST /v3/marketing/busifavor/coupons/use',
    { summary: '核销用户券', before: limited('coupons.use'), response: schemas.USED },
    async (_, c) => coupons.use(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseUse)),
  );

  route(
    router,
    'GET /v3/marketing/busifavor/users/{openid}/coupons',
    { summary: '根据过滤条件查询用户券', before: limited('coupons.list'), response: schemas.COUPON_PAGE },
    async (_, c) => {
      const openid = checkPath(path(c), 'openid', 128, OPENID);
      const q = new FieldReader(c.req.query(), 'query');
      const optional = {
        stockId: q.string('/stock_id', { max: 20 }),
        state: q.string('/coupon_state', { oneOf: COUPON_STATES }),
        creator: q.string('/creator_merchant', { max: 32 }),
        belong: q.string('/belong_merchant', { max: 15 }),
        sender: q.string('/sender_merchant', { max: 32 }),
      };
      return stored(
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
    },
  );

  route(
    router,
    'GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}',
    { summary: '查询用户单张券详情', before: limited('coupons.get'), response: schemas.COUPON },
    async (_, c) => {
      const p = path(c);
      const openid = checkPath(p, 'openid', 128, OPENID);
      const code = checkPath(p, 'coupon_code', 32, COUPON_CODE);
      const appid = checkPath(p, 'appid', 32);
      return stored(await coupons.get(c.get('merchant').mchid, openid, code, appid));
    },
  );

  route(
    router,
    'POST /v3/marketing/busifavor/coupons/associate',
    { summary: '关联订单信息', before: limited('coupons.associate'), response: schemas.ASSOCIATED },
    async (_, c) =>
      stored(await coupons.associate(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseAssociate), true)),
  );

  route(
    router,
    'POST /v3/marketing/busifavor/coupons/disassociate',
    { summary: '取消关联订单信息', before: limited('coupons.disassociate'), response: schemas.DISASSOCIATED },
    async (_, c) =>
      stored(await coupons.associate(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseAssociate), false)),
  );

  route(
    router,
    'POST /v3/marketing/busifavor/coupons/return',
    { summary: '申请退券', before: limited('coupons.return'), response: schemas.RETURNED },
    async (_, c) => coupons.giveBack(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseReturn)),
  );

  route(
    router,
    'POST /v3/marketing/busifavor/coupons/deactivate',
    { summary: '使券失效', before: limited('coupons.deactivate'), response: schemas.DEACTIVATED },
    async (_, c) => coupons.deactivate(c.get('merchant').mchid, parseBody(c.get('rawBody'), parseDeactivate)),
  );

  route(
    router,
    'POST /v3/marketing/busifavor/callbacks',
    { summary: '设置商家券事件通知地址', before: limited('callbacks.set'), response: schemas.CALLBACK_SET },
    async (_, c) => {
      const { mchid, url } = parseBody(c.get('rawBody'), (b) => {
        const mchid = b.string('/mchid', { min: 8, max: 15, pattern: /^\d+$/, patternIssue: 'must be digits' });
        const url = b.string('/notify_url', { required: true, min: 10, max: 256 });
        const problem = notifyUrlProblem(url);
        if (problem) b.fail('/notify_url', url, problem);
        return { mchid, url };
      });
      return stocks.setCallback(c.get('merchant').mchid, mchid, url);
    },
  );

  route(
    router,
    'GET /v3/marketing/busifavor/callbacks',
    { summary: '查询商家券事件通知地址', before: limited('callbacks.get'), response: schemas.CALLBACK },
    async (_, c) => {
      const mchid = new FieldReader(c.req.query(), 'query').string('/mchid', { max: 15 });
      return stocks.getCallback(c.get('merchant').mchid, mchid);
    },
  );
}
