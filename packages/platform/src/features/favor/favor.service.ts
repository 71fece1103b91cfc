import type {
  FavorCallbacksResponse,
  FavorCoupon,
  FavorCouponSendResponse,
  FavorPage,
  FavorStock,
  FavorStockCreateResponse,
  FavorStockPauseResponse,
  FavorStockRestartResponse,
  FavorStockStartResponse,
  FavorStockStopResponse,
  FavorStringPage,
} from '@wxcoupon/sdk';
import { beijingDay, rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { isUniqueViolation, writeOrReplay } from '../../db/database.js';
import { retryingConflicts, writeTransaction } from '../../db/transaction.js';
import { ApiError } from '../../errors/api-error.js';
import { MESSAGES } from '../../errors/messages.js';
import { numericId } from '../../ids.js';
import { requestDigest } from '../../request-digest.js';
import { type User, userLimitKey } from '../merchants/merchants.service.js';
import * as repo from './favor.repository.js';
import type { CreateStockInput, SendInput } from './favor.schema.js';
import { type CouponView, couponStatus, couponView, type StockView, stockStatus, stockView } from './favor.views.js';

// The 代金券 rules: stock lifecycle, issuing with atomic budgets and idempotency, coupon queries,
// and marking a coupon used. No HTTP here; errors are ApiError codes from the registry.

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3600_000;

export interface UseCouponInput {
  transactionId?: string;
  consumeMchid?: string;
  consumeTime?: number;
  goodsDetail?: Array<{ goods_id: string; quantity: number; price: number; discount_amount: number }>;
}

export class FavorService {
  constructor(private readonly ctx: PlatformContext) {}

  private get db() {
    return this.ctx.db;
  }

  async createStock(mchid: string, input: CreateStockInput): Promise<FavorStockCreateResponse> {
    const hash = requestDigest(input);
    const replay = await this.replayStock(mchid, input.outRequestNo, hash);
    if (replay) return replay;
    if (!(await this.ctx.services.merchants.find(input.belongMerchant)))
      throw new ApiError('MCH_NOT_EXISTS', MESSAGES.mchNotExists, {
        field: '/belong_merchant',
        value: input.belongMerchant,
        location: 'body',
      });
    const now = this.ctx.clock();
    const row: repo.StockRow = {
      stock_id: numericId(10),
      creator_mchid: mchid,
      out_request_no: input.outRequestNo,
      request_hash: hash,
      stock_name: input.stockName,
      comment: input.comment ?? null,
      belong_merchant: input.belongMerchant,
      status: 'unactivated',
      stock_type: 'NORMAL',
      no_cash: input.noCash ? 1 : 0,
      available_begin_ms: input.beginMs,
      available_end_ms: input.endMs,
      max_coupons: input.maxCoupons,
      max_amount: input.maxAmount,
      max_amount_by_day: input.maxAmountByDay ?? null,
      max_coupons_per_user: input.maxCouponsPerUser,
      natural_person_limit: input.naturalPersonLimit ? 1 : 0,
      prevent_api_abuse: input.preventApiAbuse ? 1 : 0,
      coupon_amount: input.couponAmount,
      transaction_minimum: input.transactionMinimum,
      distributed_coupons: 0,
      distributed_amount: 0,
      singleitem: input.singleitem ? 1 : 0,
      rules_json: JSON.stringify(input.rules),
      create_ms: now,
      start_ms: null,
      pause_ms: null,
      restart_ms: null,
      stop_ms: null,
      specified_value: 0,
    };
    return writeOrReplay(
      async () => {
        await repo.insertStock(this.db, row);
        return { stock_id: row.stock_id, create_time: rfc3339(now) };
      },
      async () => {
        const again = await this.replayStock(mchid, input.outRequestNo, hash);
        return again && { value: again };
      },
    );
  }

  private async replayStock(mchid: string, outRequestNo: string, hash: string) {
    const existing = await repo.findStockByRequest(this.db, mchid, outRequestNo);
    if (!existing) return undefined;
    if (existing.request_hash !== hash) throw conflict('out_request_no');
    return { stock_id: existing.stock_id, create_time: rfc3339(existing.create_ms) };
  }

  /** The stock for a lifecycle call, which only the creator may make. */
  private async ownStock(mchid: string, stockId: string, creator: string): Promise<repo.StockRow> {
    const stock = await repo.findStock(this.db, stockId);
    if (!stock || stock.creator_mchid !== creator) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    if (creator !== mchid) throw new ApiError('REQUEST_BLOCKED', MESSAGES.callerNoPermission);
    return stock;
  }

  async start(mchid: string, stockId: string, creator: string): Promise<FavorStockStartResponse> {
    const stock = await this.ownStock(mchid, stockId, creator);
    const now = this.ctx.clock();
    if (now > stock.available_end_ms) throw new ApiError('INVALID_REQUEST', MESSAGES.stockNotActive);
    if (!(await repo.transitionStock(this.db, stockId, ['unactivated'], { status: 'running', start_ms: now }))) {
      throw illegalState(stock.status);
    }
    return { start_time: rfc3339(now), stock_id: stockId };
  }

  async pause(mchid: string, stockId: string, creator: string): Promise<FavorStockPauseResponse> {
    const stock = await this.ownStock(mchid, stockId, creator);
    const now = this.ctx.clock();
    if (
      stockStatus(stock, now) !== 'running' ||
      !(await repo.transitionStock(this.db, stockId, ['running'], { status: 'paused', pause_ms: now }))
    ) {
      throw illegalState(stockStatus(stock, now));
    }
    return { pause_time: rfc3339(now), stock_id: stockId };
  }

  async restart(mchid: string, stockId: string, creator: string): Promise<FavorStockRestartResponse> {
    const stock = await this.ownStock(mchid, stockId, creator);
    const now = this.ctx.clock();
    if (
      stockStatus(stock, now) !== 'paused' ||
      !(await repo.transitionStock(this.db, stockId, ['paused'], { status: 'running', restart_ms: now }))
    ) {
      throw illegalState(stockStatus(stock, now));
    }
    return { restart_time: rfc3339(now), stock_id: stockId };
  }

  /** F5 ends an unactivated stock only [GO]. */
  async stop(mchid: string, stockId: string, creator: string): Promise<FavorStockStopResponse> {
    const stock = await this.ownStock(mchid, stockId, creator);
    const now = this.ctx.clock();
    if (!(await repo.transitionStock(this.db, stockId, ['unactivated'], { status: 'stoped', stop_ms: now }))) {
      throw illegalState(stock.status);
    }
    return { stop_time: rfc3339(now), stock_id: stockId };
  }

  async getStock(mchid: string, stockId: string, creator: string): Promise<StockView> {
    const stock = await repo.findStock(this.db, stockId);
    if (!stock || stock.creator_mchid !== creator) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    if (mchid !== creator && !(await repo.canSend(this.db, stockId, mchid)))
      throw new ApiError('REQUEST_BLOCKED', MESSAGES.callerNoPermission);
    return stockView(stock, this.ctx.clock());
  }

  async listStocks(
    mchid: string,
    q: { offset: number; limit: number; creator: string; createStart?: number; createEnd?: number; status?: string },
  ): Promise<FavorPage<FavorStock>> {
    if (q.creator !== mchid) throw new ApiError('REQUEST_BLOCKED', MESSAGES.callerNoPermission);
    const now = this.ctx.clock();
    // Status can depend on the clock (a running stock past its window reads stoped), so filter after reading.
    const rows = (await repo.stocksOfCreator(this.db, q.creator, { from: q.createStart, to: q.createEnd })).filter(
      (s) => q.status === undefined || stockStatus(s, now) === q.status,
    );
    const page = rows.slice(q.offset * q.limit, q.offset * q.limit + q.limit);
    return { total_count: rows.length, data: page.map((s) => stockView(s, now)), limit: q.limit, offset: q.offset };
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
    if (this.ctx.engine === 'postgres' && input.couponValue === undefined && input.couponMinimum === undefined) {
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
   * PostgreSQL: every check after the merchant's and every write in one database call (migration 0011), in
   * the order of {@link authorizeSend} and {@link issue}. Rights refused there are answered as they are; any
   * other refusal, or the request number's unique violation, looks for the coupon of an earlier request first,
   * as {@link send} does.
   */
  private async sendInOneCall(
    mchid: string,
    input: SendInput,
    hash: string,
  ): Promise<FavorCouponSendResponse | undefined> {
    const now = this.ctx.clock();
    const couponId = numericId(18);
    let refusal: repo.SendRefusal | undefined;
    try {
      refusal = await retryingConflicts(() =>
        repo.sendInOneCall(this.db, {
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
        }),
      );
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
      ...this.couponWindow(stock, now),
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

  /** A coupon is valid for the stock's window, narrowed by coupon_available_time. */
  private couponWindow(stock: repo.StockRow, now: number) {
    const rules = JSON.parse(stock.rules_json) as {
      coupon_available_time?: { second_day_available?: boolean; available_time_after_receive?: number };
    };
    let begin = Math.max(stock.available_begin_ms, now);
    let end = stock.available_end_ms;
    const t = rules.coupon_available_time;
    if (t?.second_day_available) {
      const local = now + BEIJING_OFFSET_MS;
      begin = local - (local % DAY_MS) + DAY_MS - BEIJING_OFFSET_MS;
    }
    if (t?.available_time_after_receive) end = Math.min(end, begin + t.available_time_after_receive * 60_000);
    return { available_begin_ms: begin, available_end_ms: Math.max(end, begin) };
  }

  /**
   * F11/F12: the merchants a stock may be used at, or its SKUs, paged by row offset. The creator and
   * authorized senders may read them.
   */
  async stockList(
    mchid: string,
    stockId: string,
    creator: string,
    kind: 'available_merchants' | 'available_items',
    offset: number,
    limit: number,
  ): Promise<FavorStringPage> {
    const stock = await repo.findStock(this.db, stockId);
    if (!stock || stock.creator_mchid !== creator) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    if (mchid !== creator && !(await repo.canSend(this.db, stockId, mchid)))
      throw new ApiError('REQUEST_BLOCKED', MESSAGES.callerNoPermission);
    const all = (JSON.parse(stock.rules_json) as Record<string, string[] | undefined>)[kind] ?? [];
    return { total_count: all.length, data: all.slice(offset, offset + limit), offset, limit, stock_id: stockId };
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

  async setCallback(
    mchid: string,
    target: string,
    notifyUrl: string,
    enabled: boolean | undefined,
  ): Promise<FavorCallbacksResponse> {
    if (!(await this.ctx.services.merchants.find(target)))
      throw new ApiError('MCH_NOT_EXISTS', MESSAGES.mchNotExists, { field: '/mchid', value: target, location: 'body' });
    // Only the caller's own URL may be set; the table's text for another merchant number.
    if (target !== mchid) throw new ApiError('INVALID_REQUEST', MESSAGES.illegalMchid);
    const now = this.ctx.clock();
    const on = enabled === undefined ? 1 : enabled ? 1 : 0;
    await repo.upsertCallback(this.db, { mchid, notify_url: notifyUrl, enabled: on, update_ms: now });
    return { update_time: rfc3339(now), notify_url: notifyUrl };
  }

  async getCallback(mchid: string, target: string) {
    if (target !== mchid) throw new ApiError('INVALID_REQUEST', MESSAGES.illegalMchid);
    const row = await repo.findCallback(this.db, mchid);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.callbackNotSet);
    return { mchid, notify_url: row.notify_url };
  }

  /** The notification URL of a merchant, if set and switched on (for the COUPON.USE sender). */
  async callbackUrl(mchid: string): Promise<string | undefined> {
    const row = await repo.findCallback(this.db, mchid);
    return row && row.enabled === 1 ? row.notify_url : undefined;
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

  /** Turns 指定面额发券 on or off for a stock (no public API makes such a stock). */
  async setSpecifiedValue(stockId: string, on: boolean): Promise<{ stock_id: string; specified_value: boolean }> {
    if (!(await repo.setSpecifiedValue(this.db, stockId, on)))
      throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    return { stock_id: stockId, specified_value: on };
  }

  /** Lets `mchid` send coupons of a stock it did not create (cross-merchant issuing). */
  async authorizeSender(stockId: string, mchid: string): Promise<void> {
    if (!(await repo.findStock(this.db, stockId))) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    if (!(await this.ctx.services.merchants.find(mchid))) throw new ApiError('MCH_NOT_EXISTS');
    await repo.addSender(this.db, stockId, mchid);
  }

  // Stored rows across merchants, for the web console (no merchant's rights apply to it).

  recentStocks(limit: number): Promise<repo.StockRow[]> {
    return repo.recentStocks(this.db, limit);
  }

  stockRow(stockId: string): Promise<repo.StockRow | undefined> {
    return repo.findStock(this.db, stockId);
  }

  couponsOfStock(stockId: string, limit: number): Promise<repo.CouponRow[]> {
    return repo.couponsOfStock(this.db, stockId, limit);
  }

  couponsOfUser(openid: string, appid: string, limit: number): Promise<repo.CouponRow[]> {
    return repo.couponsOfUser(this.db, openid, appid, limit);
  }

  dailyAmounts(day: string): Promise<Map<string, number>> {
    return repo.dailyAmounts(this.db, day);
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

function conflict(field: string): ApiError {
  return new ApiError('INVALID_REQUEST', MESSAGES.requestNoReused, {
    field: `/${field}`,
    issue: 'the same request number was used before with different parameters',
    location: 'body',
  });
}

/** The error table lists the illegal state change under PARAM_ERROR (coupon-api.md §8.2). */
function illegalState(status: string): ApiError {
  return new ApiError('PARAM_ERROR', MESSAGES.illegalStockState, { field: 'status', value: status });
}

declare module '../../context.js' {
  interface PlatformServices {
    favor: FavorService;
  }
}

/** The answer to a refused send, on either engine's path. */
function sendRefused(why: repo.SendRefusal, input: SendInput): ApiError {
  switch (why) {
    case 'unknown_user':
      return new ApiError('INVALID_REQUEST', MESSAGES.openidAppidMismatch);
    case 'no_stock':
      return new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    case 'wrong_creator':
      // A stock that exists under another creator than named (coupon-api.md §8.4).
      return new ApiError('INVALID_REQUEST', MESSAGES.stockLookupFailed, {
        field: '/stock_creator_mchid',
        value: input.stockCreatorMchid,
        location: 'body',
      });
    // A stock shared with other merchants, but not with this one, versus a stock shared with none.
    case 'not_a_sender':
      return new ApiError('REQUEST_BLOCKED', MESSAGES.noRightToSend);
    case 'not_shared':
      return new ApiError('REQUEST_BLOCKED', MESSAGES.noCrossMerchant);
    case 'not_running':
      return new ApiError('INVALID_REQUEST', MESSAGES.stockNotActive);
    case 'abnormal_user':
      return new ApiError('USER_ACCOUNT_ABNORMAL', MESSAGES.userAbnormal);
    case 'user_limit':
      return new ApiError('REQUEST_BLOCKED', MESSAGES.userLimited);
    // The table has one text for every budget, the daily one included.
    case 'stock_budget':
    case 'day_budget':
      return new ApiError('NOT_ENOUGH', MESSAGES.budgetNotEnough);
    case 'specified_value':
      throw new Error('a 指定面额 stock is sent by the general path, not refused');
  }
}
