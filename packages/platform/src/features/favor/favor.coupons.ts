import type { FavorCoupon, FavorCouponSendResponse, FavorPage } from '@wxcoupon/sdk';
import { beijingDay, rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { groupCommitOf, isUniqueViolation } from '../../db/database.js';
import { retryingConflicts, writeTransaction } from '../../db/transaction.js';
import { ApiError } from '../../errors/api-error.js';
import { MESSAGES } from '../../errors/messages.js';
import { numericId } from '../../ids.js';
import { requestDigest } from '../../request-digest.js';
import { type User, userLimitKey } from '../merchants/merchants.service.js';
import { conflict, sendRefused } from './favor.errors.js';
import * as repo from './favor.repository.js';
import type { SendInput } from './favor.schema.js';
import { type CouponView, couponStatus, couponView } from './favor.views.js';
import { couponWindow } from './favor.window.js';

// 代金券 coupons: issuing (F8) with atomic budgets and idempotency, reading (F9) and listing (F10)
// them, and marking one used, as a payment with it would.

export interface UseCouponInput {
  transactionId?: string;
  consumeMchid?: string;
  consumeTime?: number;
  goodsDetail?: Array<{ goods_id: string; quantity: number; price: number; discount_amount: number }>;
}

export class FavorCoupons {
  constructor(private readonly ctx: PlatformContext) {}

  private get db() {
    return this.ctx.db;
  }

  /**
   * F8. Checks run in the order of coupon-api.md §6.2 and the budget is taken in ONE transaction
   * with the coupon row: per-user count, stock totals, daily amount, then the insert. A unique
   * constraint on (sender, out_request_no) makes concurrent retries of one request yield one coupon;
   * a retry is recognised when the new attempt fails, so a first send reads nothing it need not.
   * The caller's rights (merchant, appid, user, stock, sender) are checked before any replay, so a
   * request number answers the same as a fresh one to a merchant without them.
   */
  async send(mchid: string, input: SendInput): Promise<FavorCouponSendResponse> {
    const hash = requestDigest({
      o: input.openid,
      s: input.stockId,
      a: input.appid,
      c: input.stockCreatorMchid,
      ...(input.couponValue !== undefined ? { v: input.couponValue } : {}),
      ...(input.couponMinimum !== undefined ? { m: input.couponMinimum } : {}),
    });
    await this.authorizeMerchant(mchid, input);
    // A 指定面额 send (coupon_value named, or a stock that takes it) is checked and written by the general path.
    if (input.couponValue === undefined && input.couponMinimum === undefined) {
      const sent = await this.sendInOneCall(mchid, input, hash);
      if (sent) return sent;
    }
    const { stock, user } = await this.authorizeSend(mchid, input);
    const value = specifiedValue(stock, input);
    try {
      return await this.issue(mchid, input, hash, stock, user, value);
    } catch (err) {
      // A request number used before is found here rather than by a read before every send: its
      // coupon row makes the insert fail, or a check fails that did not hold back then (budget spent,
      // stock paused, per-user slot taken, also by a concurrent twin that committed first). Either
      // way, a stored coupon for this number is the answer: the same one for the same request, a
      // conflict for different content.
      if (!isUniqueViolation(err) && !(err instanceof ApiError)) throw err;
      const again = await this.replayCoupon(mchid, input.outRequestNo, hash);
      if (again) return again;
      throw err;
    }
  }

  /**
   * Every check after the merchant's and every write in one step: on PostgreSQL one database call (migration
   * 0011), on SQLite one transaction with no await between its statements; both in the order of
   * {@link authorizeSend} and {@link issue}. Rights refused there are answered as they are; any other refusal,
   * or the request number's unique violation, looks for the coupon of an earlier request first, as
   * {@link send} does.
   */
  private async sendInOneCall(
    mchid: string,
    input: SendInput,
    hash: string,
  ): Promise<FavorCouponSendResponse | undefined> {
    const now = this.ctx.clock();
    const couponId = numericId(18);
    let refusal: repo.SendRefusal | undefined;
    const args: repo.SendArgs = {
      sender: mchid,
      appid: input.appid,
      openid: input.openid,
      stockId: input.stockId,
      creator: input.stockCreatorMchid,
      autoRegister: this.ctx.autoRegisterUsers,
      couponId,
      outRequestNo: input.outRequestNo,
      hash,
      now,
      day: beijingDay(now),
    };
    // SQLite databases are opened with group commit (db/database.ts); one without it takes the general path.
    const sqlite = groupCommitOf(this.db);
    if (!sqlite && this.ctx.engine !== 'postgres') return undefined;
    try {
      refusal = sqlite
        ? await repo.sendInOneStep(sqlite, this.db, args)
        : await retryingConflicts(() => repo.sendInOneCall(this.db, args));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const again = await this.replayCoupon(mchid, input.outRequestNo, hash);
      if (again) return again;
      throw err;
    }
    if (refusal === undefined) return { coupon_id: couponId };
    if (refusal === 'specified_value') return undefined;
    if (!repo.RIGHTS_REFUSALS.has(refusal)) {
      const again = await this.replayCoupon(mchid, input.outRequestNo, hash);
      if (again) return again;
    }
    throw sendRefused(refusal, input);
  }

  /** The checks a send's merchant must pass first; answered from a cache of what exists. */
  private async authorizeMerchant(mchid: string, input: SendInput): Promise<void> {
    if (!(await this.ctx.services.merchants.exists(input.stockCreatorMchid))) {
      throw new ApiError('MCH_NOT_EXISTS', MESSAGES.mchNotExists, {
        field: '/stock_creator_mchid',
        value: input.stockCreatorMchid,
        location: 'body',
      });
    }
    if (!(await this.ctx.services.merchants.isAppidBound(mchid, input.appid)))
      throw new ApiError('APPID_MCHID_NOT_MATCH', MESSAGES.appidMchidMismatch);
  }

  /** What a merchant must have to send from a stock to a user, whether or not the request is new. */
  private async authorizeSend(mchid: string, input: SendInput) {
    // (appid, openid) is the user: unknown with registration off, it is an openid of another appid.
    const user = await this.ctx.services.merchants.peekUser(input.openid, input.appid);
    if (!user) throw sendRefused('unknown_user', input);
    const stock = await repo.findStock(this.db, input.stockId);
    if (!stock) throw sendRefused('no_stock', input);
    if (stock.creator_mchid !== input.stockCreatorMchid) throw sendRefused('wrong_creator', input);
    if (stock.creator_mchid !== mchid && !(await repo.canSend(this.db, stock.stock_id, mchid))) {
      const shared = await repo.hasSenders(this.db, stock.stock_id);
      throw sendRefused(shared ? 'not_a_sender' : 'not_shared', input);
    }
    return { stock, user };
  }

  private async issue(
    mchid: string,
    input: SendInput,
    hash: string,
    stock: repo.StockRow,
    user: User & { isNew: boolean },
    value: { amount: number; minimum: number },
  ): Promise<FavorCouponSendResponse> {
    const now = this.ctx.clock();
    if (stock.status !== 'running' || now < stock.available_begin_ms || now > stock.available_end_ms) {
      throw sendRefused('not_running', input);
    }
    if (stock.prevent_api_abuse === 1 && user.abnormal) throw sendRefused('abnormal_user', input);

    const userKey = userLimitKey(user, stock.natural_person_limit === 1);
    const amount = value.amount;
    const coupon: repo.CouponRow = {
      coupon_id: numericId(18),
      stock_id: stock.stock_id,
      creator_mchid: stock.creator_mchid,
      sender_mchid: mchid,
      out_request_no: input.outRequestNo,
      request_hash: hash,
      openid: input.openid,
      appid: input.appid,
      coupon_amount: amount,
      transaction_minimum: value.minimum,
      status: 'SENDED',
      create_ms: now,
      ...couponWindow(stock, now),
      consume_json: null,
    };
    const day = beijingDay(now);
    await writeTransaction(this.db, async (trx) => {
      if (user.isNew) await this.ctx.services.merchants.registerUser(trx, user);
      if (!(await repo.takeUserSlot(trx, stock.stock_id, userKey, stock.max_coupons_per_user))) {
        throw sendRefused('user_limit', input);
      }
      if (!(await repo.takeStockBudget(trx, stock.stock_id, amount))) {
        const fresh = await repo.findStock(trx, stock.stock_id);
        throw sendRefused(fresh?.status !== 'running' ? 'not_running' : 'stock_budget', input);
      }
      if (
        stock.max_amount_by_day !== null &&
        !(await repo.takeDailyBudget(trx, stock.stock_id, day, amount, stock.max_amount_by_day))
      ) {
        throw sendRefused('day_budget', input);
      }
      await repo.insertCoupon(trx, coupon);
    });
    return { coupon_id: coupon.coupon_id };
  }

  private async replayCoupon(mchid: string, outRequestNo: string, hash: string) {
    const existing = await repo.findCouponByRequest(this.db, mchid, outRequestNo);
    if (!existing) return undefined;
    if (existing.request_hash !== hash) throw conflict('out_request_no');
    return { coupon_id: existing.coupon_id };
  }

  /** F9: the creator or the sender may read a coupon; anyone else sees it as not existing. */
  async getCoupon(mchid: string, openid: string, couponId: string, appid: string): Promise<CouponView> {
    const coupon = await repo.findCoupon(this.db, couponId);
    if (
      !coupon ||
      coupon.openid !== openid ||
      coupon.appid !== appid ||
      (coupon.creator_mchid !== mchid && coupon.sender_mchid !== mchid)
    ) {
      throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.couponNotExists);
    }
    const stock = await repo.findStock(this.db, coupon.stock_id);
    if (!stock) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    return couponView(coupon, stock, this.ctx.clock());
  }

  /** F10. Exactly the caller's view: by creator, by sender, or by a merchant the stock may be used at. */
  async listCoupons(
    mchid: string,
    q: {
      openid: string;
      appid: string;
      stockId?: string;
      status?: string;
      creator?: string;
      sender?: string;
      available?: string;
      offset: number;
      limit: number;
    },
  ): Promise<FavorPage<FavorCoupon>> {
    if (!q.creator && !q.sender && !q.available) {
      throw new ApiError('PARAM_ERROR', MESSAGES.couponListNeedsMerchant, {
        field: 'creator_mchid',
        location: 'query',
      });
    }
    for (const m of [q.creator, q.sender])
      if (m !== undefined && m !== mchid) throw new ApiError('REQUEST_BLOCKED', MESSAGES.callerNoPermission);
    const now = this.ctx.clock();
    let rows = await repo.couponsOfHolder(this.db, q, {
      creator: q.creator,
      sender: q.sender,
      stockId: q.available ? undefined : q.stockId,
    });
    const stocks = new Map(
      (await repo.stocksOf(this.db, [...new Set(rows.map((r) => r.stock_id))])).map((s) => [s.stock_id, s]),
    );
    if (q.available) {
      // "When available_mchid is given, stock_id, status, offset and limit are ignored" (coupon-api.md §3.7).
      rows = rows.filter((r) => {
        const s = stocks.get(r.stock_id);
        return (
          s !== undefined &&
          (s.creator_mchid === mchid || r.sender_mchid === mchid) &&
          (JSON.parse(s.rules_json).available_merchants as string[]).includes(q.available as string)
        );
      });
      return {
        data: rows.map((r) => couponView(r, stocks.get(r.stock_id) as repo.StockRow, now)),
        total_count: rows.length,
        limit: rows.length,
        offset: 0,
      };
    }
    if (q.status) rows = rows.filter((r) => couponStatus(r, now) === q.status);
    const page = rows.slice(q.offset, q.offset + q.limit);
    return {
      data: page.map((r) => couponView(r, stocks.get(r.stock_id) as repo.StockRow, now)),
      total_count: rows.length,
      limit: q.limit,
      offset: q.offset,
    };
  }

  /**
   * Marks a coupon used, as a payment with it would. Emits `favor.coupon.used` inside the same
   * transaction, so a listener's outbox row exists exactly when the coupon is USED.
   */
  async markUsed(couponId: string, use: UseCouponInput = {}): Promise<Record<string, unknown>> {
    const coupon = await repo.findCoupon(this.db, couponId);
    if (!coupon) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.couponNotExists);
    const stock = await repo.findStock(this.db, coupon.stock_id);
    if (!stock) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    const now = this.ctx.clock();
    const status = couponStatus(coupon, now);
    if (status !== 'SENDED') throw new ApiError('INVALID_REQUEST', `券状态为 ${status}，不可核销`);
    if (now < coupon.available_begin_ms) throw new ApiError('INVALID_REQUEST', '券尚未生效');
    const consume = {
      consume_time: rfc3339(use.consumeTime ?? now),
      consume_mchid: use.consumeMchid ?? coupon.creator_mchid,
      transaction_id: use.transactionId ?? `42000${numericId(23)}`,
      ...(use.goodsDetail ? { goods_detail: use.goodsDetail } : {}),
    };
    const consumeJson = JSON.stringify(consume);
    const used: repo.CouponRow = { ...coupon, status: 'USED', consume_json: consumeJson };
    const view = couponView(used, stock, now);
    await writeTransaction(this.db, async (trx) => {
      if (!(await repo.useCoupon(trx, couponId, consumeJson))) throw new ApiError('INVALID_REQUEST', '券已核销');
      await this.ctx.hooks.emit(trx, 'favor.coupon.used', {
        mchid: coupon.creator_mchid,
        stockId: coupon.stock_id,
        couponId,
        coupon: view,
      });
    });
    return view;
  }

  /** A coupon as F9 returns it now, with its creator (for a notification sent on request); undefined if none. */
  async couponById(couponId: string): Promise<{ creatorMchid: string; coupon: CouponView } | undefined> {
    const coupon = await repo.findCoupon(this.db, couponId);
    const stock = coupon && (await repo.findStock(this.db, coupon.stock_id));
    if (!coupon || !stock) return undefined;
    return { creatorMchid: coupon.creator_mchid, coupon: couponView(coupon, stock, this.ctx.clock()) };
  }
}

/**
 * A coupon's value and threshold: the stock's, or on a 指定面额 stock the request's (coupon_value
 * required, coupon_minimum defaulting to the stock's threshold). Elsewhere both fields are refused:
 * the request table says other sends do not take them.
 */
function specifiedValue(stock: repo.StockRow, input: SendInput): { amount: number; minimum: number } {
  if (stock.specified_value !== 1) {
    if (input.couponValue === undefined && input.couponMinimum === undefined)
      return { amount: stock.coupon_amount, minimum: stock.transaction_minimum };
    const field = input.couponValue !== undefined ? '/coupon_value' : '/coupon_minimum';
    throw new ApiError('PARAM_ERROR', MESSAGES.fixedValueNotAllowed, {
      field,
      value: input.couponValue ?? input.couponMinimum,
      location: 'body',
    });
  }
  if (input.couponValue === undefined)
    throw new ApiError('PARAM_ERROR', MESSAGES.fixedValueRequired, { field: '/coupon_value', location: 'body' });
  const minimum = input.couponMinimum ?? stock.transaction_minimum;
  if (minimum < input.couponValue)
    throw new ApiError('PARAM_ERROR', MESSAGES.fixedMinimumTooLow, {
      field: '/coupon_minimum',
      value: minimum,
      location: 'body',
    });
  return { amount: input.couponValue, minimum };
}
