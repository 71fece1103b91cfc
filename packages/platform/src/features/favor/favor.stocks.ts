import type {
  FavorPage,
  FavorStock,
  FavorStockCreateResponse,
  FavorStockPauseResponse,
  FavorStockRestartResponse,
  FavorStockStartResponse,
  FavorStockStopResponse,
  FavorStringPage,
} from '@wxcoupon/sdk';
import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { createOrReplay } from '../../db/database.js';
import { ApiError } from '../../errors/api-error.js';
import { MESSAGES } from '../../errors/messages.js';
import { numericId } from '../../ids.js';
import { requestDigest } from '../../request-digest.js';
import { conflict, illegalState } from './favor.errors.js';
import * as repo from './favor.repository.js';
import type { CreateStockInput } from './favor.schema.js';
import { type StockView, stockStatus, stockView } from './favor.views.js';

// 代金券 stocks: create (F1), the lifecycle a creator drives (start, pause, restart, stop), reading
// and listing them, the merchants and items they may be used with, and the sandbox's own controls
// (指定面额, cross-merchant senders).

export class FavorStocks {
  constructor(private readonly ctx: PlatformContext) {}

  private get db() {
    return this.ctx.db;
  }

  async createStock(mchid: string, input: CreateStockInput): Promise<FavorStockCreateResponse> {
    const hash = requestDigest(input);
    const stored = {
      hash,
      find: () => repo.findStockByRequest(this.db, mchid, input.outRequestNo),
      answer: (s: repo.StockRow) => ({ stock_id: s.stock_id, create_time: rfc3339(s.create_ms) }),
      reused: () => conflict('out_request_no'),
    };
    return createOrReplay(stored, async () => {
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
      await repo.insertStock(this.db, row);
      return { stock_id: row.stock_id, create_time: rfc3339(now) };
    });
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
}
