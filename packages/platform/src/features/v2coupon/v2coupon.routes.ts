import { nonce } from '@wxcoupon/sdk/crypto';
import type { Context } from 'hono';
import type { PlatformContext } from '../../context.js';
import type { Language } from '../../errors/messages.js';
import type { AppRouter } from '../../http/env.js';
import { requestLanguage } from '../../http/error-handler.js';
import { noteOf, type SignatureNote } from '../../http/request-note.js';
import { v2Faults } from '../faults/faults.transport.js';
import { V2Failure } from './v2-failure.js';
import { authenticateV2, type V2Caller } from './v2coupon.auth.js';
import { V2_DECIMAL_CODES } from './v2coupon.errors.js';
import { parseQueryCoupon, parseQueryStock, parseSendCoupon } from './v2coupon.schema.js';
import { readV2Fields, returnFailure, signedReply } from './v2coupon.transport.js';

type Fields = Record<string, string>;

interface V2Endpoint {
  /** The API's name, as rate limits and fault rules name it. */
  api: string;
  /** Whether the API needs the merchant's API certificate over mutual TLS. */
  certificate: boolean;
  /** Per-merchant call limit (a key of the rate-limit table), checked after authentication. */
  rateLimit?: string;
  /** Fields a business failure carries besides the common ones (send_coupon's per-openid result). */
  failureFields?: (request: Fields, failure: V2Failure, language: Language) => Fields;
  handle: (caller: V2Caller, request: Fields) => Promise<Fields>;
}

/** The APIv2 代金券 endpoints (coupon-api.md §2). They sit at the root and authenticate themselves. */
export function v2couponRoutes(router: AppRouter, ctx: PlatformContext): void {
  const service = ctx.services.v2coupon;

  router.post(
    '/mmpaymkttransfers/send_coupon',
    v2Handler(ctx, {
      api: 'v2coupon.send_coupon',
      certificate: true,
      rateLimit: 'v2coupon.send_coupon',
      failureFields: (f, failure, language) => ({
        coupon_stock_id: f['coupon_stock_id'] ?? '',
        resp_count: '1',
        success_count: '0',
        failed_count: '1',
        openid: f['openid'] ?? '',
        ret_code: 'FAIL',
        ret_msg: failure.messageIn(language),
        coupon_id: '',
      }),
      async handle(caller, f) {
        const input = parseSendCoupon(f);
        const { couponId } = await service.sendCoupon(caller.mchid, input);
        return {
          coupon_stock_id: input.stockId,
          resp_count: '1',
          success_count: '1',
          failed_count: '0',
          openid: input.openid,
          ret_code: 'SUCCESS',
          ret_msg: '',
          coupon_id: couponId,
        };
      },
    }),
  );

  router.post(
    '/mmpaymkttransfers/query_coupon_stock',
    v2Handler(ctx, {
      api: 'v2coupon.query_coupon_stock',
      rateLimit: 'v2coupon.query_coupon_stock',
      certificate: false,
      handle: (caller, f) => service.queryStock(caller.mchid, parseQueryStock(f)),
    }),
  );

  router.post(
    '/mmpaymkttransfers/querycouponsinfo',
    v2Handler(ctx, {
      api: 'v2coupon.querycouponsinfo',
      rateLimit: 'v2coupon.querycouponsinfo',
      certificate: false,
      handle: (caller, f) => service.queryCoupon(caller.mchid, parseQueryCoupon(f)),
    }),
  );
}

/**
 * One v2 request from bytes to answer: read and parse safely, authenticate, rate-limit, run, and
 * answer in the two-layer format. Nothing escapes as an exception: a v2 client always gets XML.
 */
function v2Handler(ctx: PlatformContext, endpoint: V2Endpoint) {
  ctx.services.faults.register(endpoint.api);
  return async (c: Context): Promise<Response> => {
    let request: Fields = {};
    let caller: V2Caller | undefined;
    const note = noteOf(c);
    if (note) note.api = endpoint.api;
    try {
      request = await readV2Fields(c);
      if (note && request['mch_id']) note.mchid = request['mch_id'];
      caller = await authenticateV2(ctx, c, request, { certificate: endpoint.certificate });
      if (note) note.signature = { verdict: 'ok', reason: null };
      const rule = endpoint.rateLimit ? ctx.rateLimits[endpoint.rateLimit] : undefined;
      if (
        rule &&
        !(await ctx.rateLimiter.tryAcquire(`${caller.mchid}:${endpoint.rateLimit}`, rule.limit, rule.windowMs))
      ) {
        throw new V2Failure('FREQ_OVER_LIMIT', 'result');
      }
      const who = caller;
      // Any fault configured for this API applies here, after authentication and the rate limit.
      return await v2Faults(ctx, c, endpoint.api, who.mchid, request, async () => {
        const business = await endpoint.handle(who, request);
        return signedReply(c, { ...header(request), result_code: 'SUCCESS', ...business }, who.apiV2Key, who.signType);
      });
    } catch (err) {
      let failure: V2Failure;
      if (err instanceof V2Failure) {
        failure = err;
      } else {
        ctx.log(
          `platform: unexpected error on POST ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        failure = new V2Failure('NETWORK ERROR', 'result');
      }
      if (note && failure.code === 'SIGN_ERROR') note.signature = v2SignatureFailure(request);
      if (failure.layer === 'return' || !caller) return returnFailure(c, failure);
      const language = requestLanguage(c);
      return signedReply(
        c,
        {
          ...header(request),
          result_code: 'FAIL',
          err_code: (caller.decimalErrCode && V2_DECIMAL_CODES[failure.code]) || failure.code,
          err_code_des: failure.messageIn(language),
          ...endpoint.failureFields?.(request, failure, language),
        },
        caller.apiV2Key,
        caller.signType,
      );
    }
  };
}

/**
 * Why a v2 `sign` failed, as far as it can be told: the message it covers ends with the merchant's
 * APIv2 key, so unlike APIv3 it is never shown.
 */
function v2SignatureFailure(request: Fields): SignatureNote {
  if ((request['sign'] ?? '') === '') return { verdict: 'absent', reason: 'sign missing', explanation: V2_EXPLANATION };
  return { verdict: 'failed', reason: 'wrong key or fields changed', explanation: V2_EXPLANATION };
}

const V2_EXPLANATION =
  'APIv2 signs every non-empty field except sign, sorted by name, as k=v joined by &, then &key=<APIv2 key>, ' +
  'MD5 (or HMAC-SHA256 with sign_type) in upper case. Usually the APIv2 key is not the merchant’s (it is not ' +
  'the APIv3 key), an empty field was included, or a field changed after signing.';

/** The common part of every authenticated answer. */
function header(request: Fields): Fields {
  return {
    return_code: 'SUCCESS',
    appid: request['appid'] ?? '',
    mch_id: request['mch_id'] ?? '',
    ...(request['device_info'] ? { device_info: request['device_info'] } : {}),
    nonce_str: nonce(),
  };
}
