import type { FavorCoupon, FavorStock } from '@wxcoupon/sdk';
import { parseRfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import { fromLanguages, type Text, V2_WHY, v2ParamDetail, v2ParamText } from '../../errors/messages.js';
import { stockStatus } from '../favor/favor.views.js';
import { V2Failure } from './v2-failure.js';
import type { QueryCouponInput, QueryStockInput, SendCouponInput } from './v2coupon.schema.js';

// APIv2 代金券 over the platform's 代金券 (favor) feature: a v2 coupon_stock_id IS a favor stock, so
// sending goes through FavorService.send (same budgets, per-user limits, idempotency and coupons as
// v3) and queries read through its views. This file only translates between the two vocabularies.

/** v2 coupon_stock_status (coupon-api.md §2.3) for each v3 stock status. */
const STOCK_STATUS: Record<string, string> = {
  unactivated: '1',
  audit: '2',
  running: '4',
  stoped: '8',
  paused: '16',
};

export class V2CouponService {
  constructor(private readonly ctx: PlatformContext) {}

  /**
   * send_coupon. `partner_trade_no` is the favor request number, so a repeat with the same stock,
   * openid and appid returns the coupon of the first call, and a repeat with different ones fails.
   */
  async sendCoupon(mchid: string, input: SendCouponInput): Promise<{ couponId: string }> {
    const stock = await this.ctx.services.favor.stockRow(input.stockId);
    try {
      const { coupon_id } = await this.ctx.services.favor.send(mchid, {
        openid: input.openid,
        stockId: input.stockId,
        outRequestNo: input.partnerTradeNo,
        appid: input.appid,
        // v2 names no creator: the stock's own (an unknown stock then fails as not existing).
        stockCreatorMchid: stock?.creator_mchid ?? mchid,
        couponValue: undefined,
        couponMinimum: undefined,
      });
      return { couponId: coupon_id };
    } catch (err) {
      if (err instanceof ApiError) throw await this.sendFailure(err, input.stockId);
      throw err;
    }
  }

  /** The v2 code for a favor refusal (coupon-api.md §2.2's table). */
  private async sendFailure(err: ApiError, stockId: string): Promise<V2Failure> {
    const result = (code: ConstructorParameters<typeof V2Failure>[0], message?: Text) =>
      new V2Failure(code, 'result', message);
    switch (err.code) {
      case 'NOT_ENOUGH':
        return result('STOCK_AMOUNT_NOT_ENOUGH');
      case 'USER_ACCOUNT_ABNORMAL':
        return result('USER_ACCOUNT_ABNORMAL');
      case 'REQUEST_BLOCKED':
        return err.message.includes('限领')
          ? result('USER_AL_GET_COUPON')
          : result(
              'PARAM_ERROR',
              v2ParamText(
                'coupon_stock_id',
                fromLanguages((l) => err.messageIn(l)),
              ),
            );
      case 'RESOURCE_NOT_EXISTS':
        return result('PARAM_ERROR', v2ParamText('coupon_stock_id', V2_WHY.stockMissing));
      case 'MCH_NOT_EXISTS':
        return result('CODE_2_ID_ERR');
      case 'APPID_MCHID_NOT_MATCH':
        return result('PARAM_ERROR', v2ParamText('appid', V2_WHY.appidMchid));
      case 'INVALID_REQUEST': {
        if (err.detail?.field === '/out_request_no') {
          return result('PARAM_ERROR', v2ParamText('partner_trade_no', V2_WHY.reused));
        }
        const stock = await this.ctx.services.favor.stockRow(stockId);
        const now = this.ctx.clock();
        if (stock) {
          const status = stockStatus(stock, now);
          if (status === 'stoped') return result('AL_STOCK_OVER');
          if (status !== 'running' || now < stock.available_begin_ms) {
            return result('STOCK_IS_NOT_VALID');
          }
        }
        return result('PARAM_ERROR', v2ParamDetail(fromLanguages((l) => err.messageIn(l))));
      }
      case 'PARAM_ERROR':
        return result('PARAM_ERROR', v2ParamDetail(fromLanguages((l) => err.messageIn(l))));
      default:
        throw err;
    }
  }

  /** query_coupon_stock: the stock as its creator, or a merchant allowed to send it, sees it. */
  async queryStock(mchid: string, input: QueryStockInput): Promise<Record<string, string>> {
    await this.checkAppid(mchid, input.appid);
    const row = await this.ctx.services.favor.stockRow(input.stockId);
    if (!row) throw new V2Failure('COUPON_STOCK_NOT_FOUND', 'result');
    let view: FavorStock;
    try {
      view = await this.ctx.services.favor.getStock(mchid, input.stockId, row.creator_mchid);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'REQUEST_BLOCKED')
        throw new V2Failure('COUPON_STOCK_ID_NOT_VALID', 'result');
      if (err instanceof ApiError && err.code === 'RESOURCE_NOT_EXISTS')
        throw new V2Failure('COUPON_STOCK_NOT_FOUND', 'result');
      throw err;
    }
    const rule = view.stock_use_rule ?? {};
    const amount = rule.fixed_normal_coupon?.coupon_amount ?? 0;
    const minimum = rule.fixed_normal_coupon?.transaction_minimum ?? 0;
    return {
      coupon_stock_id: view.stock_id,
      coupon_name: view.stock_name,
      coupon_value: String(amount),
      coupon_mininumn: String(minimum),
      coupon_type: minimum === 0 ? '1' : rule.combine_use ? '3' : '2',
      coupon_stock_status: STOCK_STATUS[view.status] ?? '1',
      coupon_total: String(rule.max_coupons ?? 0),
      max_quota: String(rule.max_coupons_per_user ?? 0),
      is_send_num: String(view.distributed_coupons),
      coupon_budget: String(rule.max_amount ?? 0),
      ...times('begin_time', view.available_begin_time),
      ...times('end_time', view.available_end_time),
      ...times('create_time', view.create_time),
    };
  }

  /** querycouponsinfo: one coupon of a user, as the stock's creator or the merchant that sent it sees it. */
  async queryCoupon(mchid: string, input: QueryCouponInput): Promise<Record<string, string>> {
    await this.checkAppid(mchid, input.appid);
    let view: FavorCoupon;
    try {
      view = await this.ctx.services.favor.getCoupon(mchid, input.openid, input.couponId, input.appid);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'RESOURCE_NOT_EXISTS')
        throw new V2Failure('COUPON_NOT_FOUND', 'result');
      throw err;
    }
    if (view.stock_id !== input.stockId) {
      throw new V2Failure('COUPON_STOCK_ID_NOT_VALID', 'result');
    }
    const amount = view.normal_coupon_information?.coupon_amount ?? 0;
    const consume = view.consume_information;
    const used = view.status === 'USED';
    return {
      coupon_stock_id: view.stock_id,
      coupon_id: view.coupon_id,
      coupon_value: String(amount),
      coupon_mininum: String(view.normal_coupon_information?.transaction_minimum ?? 0),
      coupon_name: view.coupon_name,
      coupon_state: view.status,
      coupon_desc: view.description,
      coupon_use_value: String(used ? amount : 0),
      coupon_remain_value: String(used ? 0 : amount),
      begin_time: unixSeconds(view.available_begin_time),
      end_time: unixSeconds(view.available_end_time),
      send_time: unixSeconds(view.create_time),
      send_source: 'NORMAL',
      ...(consume
        ? {
            use_time: unixSeconds(consume.consume_time),
            trade_no: consume.transaction_id,
            consumer_mch_id: consume.consume_mchid,
          }
        : {}),
    };
  }

  private async checkAppid(mchid: string, appid: string): Promise<void> {
    if (!(await this.ctx.services.merchants.isAppidBound(mchid, appid)))
      throw new V2Failure('PARAM_ERROR', 'result', v2ParamText('appid', V2_WHY.appidMchid));
  }
}

/** v2 writes times as Unix seconds, and newer docs add `<name>_t` as yyyyMMddHHmmss Beijing time. */
function times(name: string, rfc3339: string): Record<string, string> {
  const ms = parseRfc3339(rfc3339);
  if (ms === undefined) return {};
  const beijing = new Date(ms + 8 * 3600_000).toISOString();
  return { [name]: String(Math.floor(ms / 1000)), [`${name}_t`]: beijing.slice(0, 19).replace(/\D/g, '') };
}

function unixSeconds(rfc3339: string): string {
  const ms = parseRfc3339(rfc3339);
  return ms === undefined ? '' : String(Math.floor(ms / 1000));
}

declare module '../../context.js' {
  interface PlatformServices {
    v2coupon: V2CouponService;
  }
}
