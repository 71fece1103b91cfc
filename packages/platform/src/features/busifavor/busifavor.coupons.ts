import { beijingDay, rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { writeTransaction } from '../../db/transaction.js';
import { ApiError } from '../../errors/api-error.js';
import { numericId } from '../../ids.js';
import { requestDigest } from '../../request-digest.js';
import { userLimitKey } from '../merchants/merchants.service.js';
import { once, reused } from './busifavor.idempotency.js';
import * as repo from './busifavor.repository.js';
import type { AvailableTime, CouponRef, SendInput, UseInput } from './busifavor.schema.js';
import { couponWindow, inUsableWindows } from './busifavor.validity.js';
import { couponState, couponView, sendNotice, stockState } from './busifavor.views.js';

// 商家券 coupons: send (B9) and product-coupon send (B10), use (B12), list/get (B13/B14),
// associate/disassociate (B15/B16), return (B17), deactivate (B18), with the state machine of
// coupon-api.md §4.22.

export interface SendResult {
  stock_id: string;
  coupon_code: string;
  out_request_no: string;
}

export class BusifavorCoupons {
  constructor(private readonly ctx: PlatformContext) {}

  private get db() {
    return this.ctx.db;
  }

  /**
   * B9/B10, checks in the order of coupon-api.md §6.2: appid, user, stock, permission, state and
   * code mode, then budgets. Per-user count, total, daily count, code and coupon row are taken in
   * ONE transaction, and `busifavor.coupon.sent` is emitted inside it (the outbox row commits with
   * the coupon). (stock, user, out_request_no) is unique: a retried send yields the first coupon. A
   * retry is looked up only once the caller's rights are checked, so a merchant without them gets
   * the same answer for a number another merchant used as for a fresh one.
   */
  async send(mchid: string, input: SendInput): Promise<SendResult> {
    const channel = input.product ? 'PRODUCT' : 'API';
    const hash = requestDigest({
      appid: input.appid,
      code: input.couponCode,
      channel,
      type: input.product?.couponType,
      card: input.product?.memberCardId,
    });
    if (!(await this.ctx.services.merchants.isAppidBound(mchid, input.appid)))
      throw new ApiError('APPID_MCHID_NOT_MATCH', 'appid 与请求方商户无关联关系', {
        field: '/appid',
        value: input.appid,
        location: 'body',
      });
    // (appid, openid) is the user: unknown with registration off, it is an openid of another appid.
    const user = await this.ctx.services.merchants.peekUser(input.openid, input.appid);
    if (!user)
      throw new ApiError('USER_NOT_EXISTS', 'openid 不正确：该用户不属于此 appid', {
        field: '/openid',
        value: input.openid,
        location: 'body',
      });
    const stock = await repo.findStock(this.db, input.stockId);
    if (!stock) throw new ApiError('RESOURCE_NOT_EXISTS', '批次不存在');
    if (stock.creator_mchid !== mchid && stock.belong_merchant !== mchid)
      throw new ApiError('NOAUTH', '无权限：调用商户不是该批次的创建商户或归属商户');
    const replay = await this.replaySend(mchid, input, hash);
    if (replay) return replay;
    if (input.product && stock.product_json === null)
      throw new ApiError('INVALID_REQUEST', '该批次未关联商品信息，不支持通过商品券接口发放');
    const now = this.ctx.clock();
    const state = stockState(stock, now);
    if (state !== 'RUNNING') throw new ApiError('INVALID_REQUEST', `批次状态为 ${state}，不能发券`);
    if (now < stock.available_begin_ms) throw new ApiError('INVALID_REQUEST', '批次未到发放时间');
    this.checkCodeMode(stock, input);
    if (stock.prevent_api_abuse === 1 && user.abnormal)
      throw new ApiError('RULELIMIT', '不符合规则：可疑账号拦截 (prevent_api_abuse)');

    const body = JSON.parse(stock.body_json) as { coupon_use_rule: { coupon_available_time: AvailableTime } };
    const window = couponWindow(
      body.coupon_use_rule.coupon_available_time,
      stock.available_begin_ms,
      stock.available_end_ms,
      now,
    );
    const userKey = userLimitKey(user, stock.natural_person_limit === 1);
    const notifyAppid = (JSON.parse(stock.body_json) as { notify_config?: { notify_appid?: string } }).notify_config
      ?.notify_appid;
    // The event names the user under notify_appid (coupon-api.md §4.2 notify_config), and only then.
    const notifyOpenid = notifyAppid ? await this.ctx.services.merchants.openidUnder(user, notifyAppid) : undefined;
    let code = input.couponCode;
    try {
      await writeTransaction(this.db, async (trx) => {
        // Decided again on every attempt: a retried transaction starts from the request, not from
        // the code a rolled-back attempt drew.
        code = input.couponCode;
        if (user.isNew) await this.ctx.services.merchants.registerUser(trx, user);
        if (!(await repo.takeUserSlot(trx, stock.stock_id, userKey, stock.max_coupons_per_user)))
          throw new ApiError('RULELIMIT', `不符合规则：每个用户最多领取 ${stock.max_coupons_per_user} 张`);
        if (!(await repo.takeStockBudget(trx, stock.stock_id)))
          throw new ApiError('NOT_ENOUGH', '批次预算不足：已达最大发放个数');
        if (stock.max_coupons_by_day !== null && !(await repo.takeDailyBudget(trx, stock.stock_id, beijingDay(now))))
          throw new ApiError('NOT_ENOUGH', '批次预算不足：今日发放已达单天上限');
        if (stock.coupon_code_mode === 'WECHATPAY_MODE') code = numericId(22);
        else if (stock.coupon_code_mode === 'MERCHANT_UPLOAD') {
          if (code !== undefined) {
            if (!(await repo.dispatchCode(trx, stock.stock_id, code, input.openid, now)))
              throw new ApiError('INVALID_REQUEST', '指定的 coupon_code 不是该批次可用的预存code', {
                field: '/coupon_code',
                value: code,
                location: 'body',
              });
          } else {
            code = await repo.dispatchRandomCode(trx, stock.stock_id, input.openid, now);
            if (code === undefined) throw new ApiError('NOT_ENOUGH', '批次预算不足：预存code已全部发放');
          }
        }
        const coupon: repo.CouponRow = {
          stock_id: stock.stock_id,
          coupon_code: code as string,
          creator_mchid: stock.creator_mchid,
          belong_merchant: stock.belong_merchant,
          sender_mchid: mchid,
          openid: input.openid,
          appid: input.appid,
          out_request_no: input.outRequestNo,
          request_hash: hash,
          channel,
          coupon_type: input.product?.couponType ?? null,
          member_card_id: input.product?.memberCardId ?? null,
          state: 'SENDED',
          receive_ms: now,
          available_start_ms: window.start,
          expire_ms: window.expire,
          use_request_no: null,
          use_ms: null,
          use_json: null,
          associate_out_trade_no: null,
          return_request_no: null,
          return_ms: null,
          deactivate_request_no: null,
          deactivate_ms: null,
          deactivate_reason: null,
        };
        await repo.insertCoupon(trx, coupon);
        await this.ctx.hooks.emit(trx, 'busifavor.coupon.sent', {
          creatorMchid: stock.creator_mchid,
          stockId: stock.stock_id,
          couponCode: coupon.coupon_code,
          resource: sendNotice(coupon, notifyOpenid),
        });
      });
    } catch (err) {
      // A concurrent twin of this request may have committed first and taken the last per-user slot
      // or budget: then this request is a replay of it, not a refusal.
      const again =
        err instanceof ApiError || isUniqueViolation(err) ? await this.replaySend(mchid, input, hash) : undefined;
      if (again) return again;
      if (!isUniqueViolation(err)) throw err;
      if (stock.coupon_code_mode === 'MERCHANT_API')
        throw new ApiError('RESOURCE_ALREADY_EXISTS', '该 coupon_code 已在此批次中发放过', {
          field: '/coupon_code',
          value: input.couponCode,
          location: 'body',
        });
      throw err;
    }
    return { stock_id: stock.stock_id, coupon_code: code as string, out_request_no: input.outRequestNo };
  }

  private async replaySend(mchid: string, input: SendInput, hash: string): Promise<SendResult | undefined> {
    const existing = await repo.findCouponByRequest(
      this.db,
      input.stockId,
      input.appid,
      input.openid,
      input.outRequestNo,
    );
    if (!existing) return undefined;
    if (existing.request_hash !== hash || existing.sender_mchid !== mchid)
      throw reused('out_request_no', input.outRequestNo);
    return { stock_id: existing.stock_id, coupon_code: existing.coupon_code, out_request_no: existing.out_request_no };
  }

  /** coupon-api.md §4.20: the code is required, forbidden or optional according to the stock's mode. */
  private checkCodeMode(stock: repo.StockRow, input: SendInput): void {
    const mode = stock.coupon_code_mode;
    if (mode === 'MERCHANT_API' && input.couponCode === undefined)
      throw new ApiError('PARAM_ERROR', 'coupon_code 必填：MERCHANT_API 批次须由接口指定code发券', {
        field: '/coupon_code',
        issue: 'is required for a MERCHANT_API stock',
        location: 'body',
      });
    const forbidden = mode === 'WECHATPAY_MODE' || (mode === 'MERCHANT_UPLOAD' && !input.product);
    if (forbidden && input.couponCode !== undefined)
      throw new ApiError('INVALID_REQUEST', `发券模式不合法：${mode} 批次不能指定 coupon_code`, {
        field: '/coupon_code',
        value: input.couponCode,
        issue: `must be absent for a ${mode} stock`,
        location: 'body',
      });
  }

  /**
   * The coupon a redemption-side call names, with its stock, for a caller that manages the stock.
   * A named stock is checked before its coupon, so a caller without rights to it cannot tell which
   * codes it holds.
   */
  private async locate(mchid: string, code: string, stockId: string | undefined) {
    let coupon: repo.CouponRow | undefined;
    if (stockId !== undefined) {
      const stock = await repo.findStock(this.db, stockId);
      if (stock && stock.creator_mchid !== mchid && stock.belong_merchant !== mchid)
        throw new ApiError('NOAUTH', '无权限：调用商户不是该批次的创建商户或归属商户');
      coupon = stock && (await repo.findCoupon(this.db, stockId, code));
    } else {
      const found = (await repo.couponsByCode(this.db, code)).filter(
        (c) => c.creator_mchid === mchid || c.belong_merchant === mchid,
      );
      if (found.length > 1)
        throw new ApiError('PARAM_ERROR', 'stock_id 必填：该 coupon_code 存在于多个批次', {
          field: '/stock_id',
          location: 'body',
        });
      coupon = found[0];
    }
    if (!coupon) throw new ApiError('RESOURCE_NOT_EXISTS', '券不存在');
    const stock = (await repo.findStock(this.db, coupon.stock_id)) as repo.StockRow;
    if (stock.creator_mchid !== mchid && stock.belong_merchant !== mchid)
      throw new ApiError('NOAUTH', '无权限：调用商户不是该批次的创建商户或归属商户');
    return { coupon, stock };
  }

  /** B12: SENDED → USED within the validity window; another request's redemption is RESOURCE_ALREADY_EXISTS. */
  async use(mchid: string, input: UseInput) {
    const { coupon, stock } = await this.locate(mchid, input.couponCode, input.stockId);
    if (input.stockId === undefined && stock.coupon_code_mode !== 'WECHATPAY_MODE')
      throw new ApiError('PARAM_ERROR', `stock_id 必填：${stock.coupon_code_mode} 批次核销时须传入批次号`, {
        field: '/stock_id',
        location: 'body',
      });
    if (
      !(await this.ctx.services.merchants.isAppidBound(mchid, input.appid)) &&
      !(await this.ctx.services.merchants.isAppidBound(stock.belong_merchant, input.appid))
    )
      throw new ApiError('APPID_MCHID_NOT_MATCH', 'appid 与请求方商户无关联关系', {
        field: '/appid',
        value: input.appid,
        location: 'body',
      });
    // The holder's openid under the appid of the request (coupon-api.md §4.12); when the platform
    // knows none there, the holder's own is the only one it can name.
    const holder = (await this.ctx.services.merchants.openidUnder(coupon, input.appid)) ?? coupon.openid;
    if (input.openid !== undefined && input.openid !== holder)
      throw new ApiError('INVALID_REQUEST', 'openid 与券的持有用户不一致', {
        field: '/openid',
        value: input.openid,
        location: 'body',
      });
    const now = this.ctx.clock();
    return once(
      this.db,
      now,
      { mchid, kind: 'use', requestNo: input.useRequestNo, field: 'use_request_no' },
      {
        stockId: coupon.stock_id,
        code: coupon.coupon_code,
        appid: input.appid,
        openid: input.openid,
        order: input.order,
      },
      async (trx) => {
        const rule = (JSON.parse(stock.body_json) as { coupon_use_rule: { coupon_available_time: AvailableTime } })
          .coupon_use_rule.coupon_available_time;
        const use = {
          requestNo: input.useRequestNo,
          json: JSON.stringify({ use_time: rfc3339(input.useTime), ...input.order }),
        };
        if (!(await repo.useCoupon(trx, coupon.stock_id, coupon.coupon_code, use, now))) {
          const fresh = (await repo.findCoupon(trx, coupon.stock_id, coupon.coupon_code)) as repo.CouponRow;
          throw refusal(couponState(fresh, now), 'use');
        }
        // Weekly and irregular windows: throwing rolls the redemption back.
        if (!inUsableWindows(rule, now)) throw new ApiError('RULELIMIT', '券不在有效期：当前不在券的可用时段');
        return { stock_id: coupon.stock_id, openid: holder, wechatpay_use_time: rfc3339(now) };
      },
    );
  }

  /** B17: USED → SENDED; the coupon can be used again until it expires. */
  async giveBack(mchid: string, ref: CouponRef & { requestNo: string }) {
    const { coupon } = await this.locate(mchid, ref.couponCode, ref.stockId);
    const now = this.ctx.clock();
    return once(
      this.db,
      now,
      { mchid, kind: 'return', requestNo: ref.requestNo, field: 'return_request_no' },
      { stockId: ref.stockId, code: ref.couponCode },
      async (trx) => {
        if (!(await repo.returnCoupon(trx, coupon.stock_id, coupon.coupon_code, ref.requestNo, now)))
          throw refusal(couponState(coupon, now), 'return');
        return { wechatpay_return_time: rfc3339(now) };
      },
    );
  }

  /** B18: SENDED → DEACTIVATED (terminal). */
  async deactivate(mchid: string, ref: CouponRef & { requestNo: string; reason: string | undefined }) {
    const { coupon } = await this.locate(mchid, ref.couponCode, ref.stockId);
    const now = this.ctx.clock();
    return once(
      this.db,
      now,
      { mchid, kind: 'deactivate', requestNo: ref.requestNo, field: 'deactivate_request_no' },
      { stockId: ref.stockId, code: ref.couponCode, reason: ref.reason },
      async (trx) => {
        const change = { requestNo: ref.requestNo, reason: ref.reason ?? null };
        if (!(await repo.deactivateCoupon(trx, coupon.stock_id, coupon.coupon_code, change, now))) {
          const fresh = (await repo.findCoupon(trx, coupon.stock_id, coupon.coupon_code)) as repo.CouponRow;
          throw refusal(couponState(fresh, now), 'deactivate');
        }
        return { wechatpay_deactivate_time: rfc3339(now) };
      },
    );
  }

  /** Sandbox control: the user deletes an unused coupon from 卡包 (SENDED → DELETED, terminal). */
  async userDelete(stockId: string, code: string) {
    const now = this.ctx.clock();
    const deleted = await repo.deleteUnusedCoupon(this.db, stockId, code);
    const coupon = await repo.findCoupon(this.db, stockId, code);
    if (!coupon) throw new ApiError('RESOURCE_NOT_EXISTS', '券不存在');
    if (!deleted) throw refusal(couponState(coupon, now), 'delete');
    return couponView(coupon, (await repo.findStock(this.db, stockId)) as repo.StockRow, now);
  }

  /** B15/B16: link or unlink an order on an unused coupon; the state does not change. */
  async associate(mchid: string, ref: CouponRef & { outTradeNo: string; requestNo: string }, link: boolean) {
    const { coupon } = await this.locate(mchid, ref.couponCode, ref.stockId);
    const now = this.ctx.clock();
    const kind = link ? 'associate' : 'disassociate';
    return once(
      this.db,
      now,
      { mchid, kind, requestNo: ref.requestNo, field: 'out_request_no' },
      { stockId: ref.stockId, code: ref.couponCode, outTradeNo: ref.outTradeNo },
      async (trx) => {
        const change = { outTradeNo: ref.outTradeNo, link };
        if (!(await repo.associateOrder(trx, coupon.stock_id, coupon.coupon_code, change, now))) {
          const fresh = (await repo.findCoupon(trx, coupon.stock_id, coupon.coupon_code)) as repo.CouponRow;
          const state = couponState(fresh, now);
          if (state !== 'SENDED') throw refusal(state, kind);
          throw new ApiError(
            'INVALID_REQUEST',
            link ? '券已关联其他订单，请先取消关联' : '该订单号未与券关联，无法取消关联',
            { field: '/out_trade_no', value: ref.outTradeNo, location: 'body' },
          );
        }
        return link ? { wechatpay_associate_time: rfc3339(now) } : { wechatpay_disassociate_time: rfc3339(now) };
      },
    );
  }

  /** B13: the coupons of a user, as the creator, the belonging merchant or the sender sees them. */
  async list(
    mchid: string,
    q: {
      openid: string;
      appid: string;
      stockId?: string;
      state?: string;
      creator?: string;
      belong?: string;
      sender?: string;
      offset: number;
      limit: number;
    },
  ) {
    if (q.creator === undefined && q.belong === undefined && q.sender === undefined)
      throw new ApiError('PARAM_ERROR', 'creator_merchant、belong_merchant、sender_merchant 须按调用方身份填写其一', {
        field: 'creator_merchant',
        location: 'query',
      });
    for (const m of [q.creator, q.belong, q.sender])
      if (m !== undefined && m !== mchid) throw new ApiError('NOAUTH', '无权限：只能以调用商户号的身份查询');
    if (!(await this.ctx.services.merchants.isAppidBound(mchid, q.appid)))
      throw new ApiError('APPID_MCHID_NOT_MATCH', 'appid 与请求方商户无关联关系', {
        field: 'appid',
        value: q.appid,
        location: 'query',
      });
    const now = this.ctx.clock();
    // The state depends on the clock (EXPIRED is computed), so it is filtered after reading.
    const rows = (await repo.userCoupons(this.db, q)).filter(
      (c) => q.state === undefined || couponState(c, now) === q.state,
    );
    const page = rows.slice(q.offset, q.offset + q.limit);
    const stocks = new Map(
      (await repo.stocksOf(this.db, [...new Set(page.map((c) => c.stock_id))])).map((s) => [s.stock_id, s]),
    );
    return {
      data: page.map((c) => couponView(c, stocks.get(c.stock_id) as repo.StockRow, now)),
      total_count: rows.length,
      offset: q.offset,
      limit: q.limit,
    };
  }

  /**
   * The COUPON.SEND event of an issued coupon, built as at its send (for a notification sent again on
   * request); the newest coupon with that code when several stocks used it, of `mchid`'s stocks if given.
   */
  async sendEvent(code: string, mchid: string | undefined) {
    const coupon = (await repo.couponsByCode(this.db, code))
      .filter((c) => mchid === undefined || c.creator_mchid === mchid)
      .sort((a, b) => b.receive_ms - a.receive_ms)[0];
    if (!coupon) return undefined;
    const stock = (await repo.findStock(this.db, coupon.stock_id)) as repo.StockRow;
    const notifyAppid = (JSON.parse(stock.body_json) as { notify_config?: { notify_appid?: string } }).notify_config
      ?.notify_appid;
    const notifyOpenid = notifyAppid ? await this.ctx.services.merchants.openidUnder(coupon, notifyAppid) : undefined;
    return { creatorMchid: stock.creator_mchid, resource: sendNotice(coupon, notifyOpenid) };
  }

  /** B14: one coupon of a user; a merchant with no relation to it sees it as not existing. */
  async get(mchid: string, openid: string, code: string, appid: string) {
    const found = (await repo.couponsByCode(this.db, code))
      .filter((c) => c.openid === openid && c.appid === appid)
      .filter((c) => c.creator_mchid === mchid || c.belong_merchant === mchid || c.sender_mchid === mchid)
      .sort((a, b) => b.receive_ms - a.receive_ms);
    const coupon = found[0];
    if (!coupon) throw new ApiError('RESOURCE_NOT_EXISTS', '券不存在');
    const stock = (await repo.findStock(this.db, coupon.stock_id)) as repo.StockRow;
    return couponView(coupon, stock, this.ctx.clock());
  }
}

/** Why a coupon in `state` cannot take `action`, in the family's codes. */
function refusal(state: string, action: string): ApiError {
  if (action === 'use') {
    if (state === 'USED') return new ApiError('RESOURCE_ALREADY_EXISTS', '券已被其他订单核销');
    if (state === 'SENDED' || state === 'EXPIRED') return new ApiError('RULELIMIT', '券不在有效期');
  }
  if (action === 'return' && state !== 'USED')
    return new ApiError('INVALID_REQUEST', `券状态为 ${state}，只有已核销 (USED) 的券可以退券`);
  if (state === 'EXPIRED') return new ApiError('RULELIMIT', '券不在有效期');
  return new ApiError('INVALID_REQUEST', `券状态为 ${state}，不能${actionName[action] ?? action}`);
}

const actionName: Record<string, string> = {
  use: '核销',
  deactivate: '失效',
  associate: '关联订单',
  disassociate: '取消关联订单',
  delete: '删除',
};

declare module '../../hooks.js' {
  interface PlatformEvents {
    /** A 商家券 was issued (B9/B10); inside the issuing transaction. */
    'busifavor.coupon.sent': {
      creatorMchid: string;
      stockId: string;
      couponCode: string;
      /** The COUPON.SEND resource (coupon-api.md §4.19). */
      resource: Record<string, unknown>;
    };
  }
}
