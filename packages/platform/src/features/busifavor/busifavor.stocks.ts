import { beijingDay, rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { createOrReplay } from '../../db/database.js';
import { ApiError } from '../../errors/api-error.js';
import { numericId } from '../../ids.js';
import { requestDigest } from '../../request-digest.js';
import { once } from './busifavor.idempotency.js';
import * as repo from './busifavor.repository.js';
import type { BudgetInput, CreateStockInput, ModifyStockInput } from './busifavor.schema.js';
import { stockState, stockView } from './busifavor.views.js';

// 商家券 stocks: create (B1), get (B2), modify (B3), budget (B4), the event notification URL
// (B19/B20), and the sandbox's own controls (product information, stock state).

export class BusifavorStocks {
  constructor(private readonly ctx: PlatformContext) {}

  private get db() {
    return this.ctx.db;
  }

  /**
   * B1. The same out_request_no with the same content answers the first stock again (a retry after a
   * timeout is safe); with other content it is `RESOURCE_ALREADY_EXISTS 批次已存在`.
   */
  async create(mchid: string, input: CreateStockInput): Promise<{ stock_id: string; create_time: string }> {
    const hash = requestDigest({ ...input, outRequestNo: undefined });
    const stored = {
      hash,
      find: () => repo.findStockByRequest(this.db, mchid, input.outRequestNo),
      answer: (s: repo.StockRow) => ({ stock_id: s.stock_id, create_time: rfc3339(s.create_ms) }),
      reused: () =>
        new ApiError('RESOURCE_ALREADY_EXISTS', '批次已存在：out_request_no 已被使用', {
          field: '/out_request_no',
          value: input.outRequestNo,
          location: 'body',
        }),
    };
    return createOrReplay(stored, async () => {
      if (!(await this.ctx.services.merchants.find(input.belongMerchant)))
        throw new ApiError('MCH_NOT_EXISTS', `belong_merchant ${input.belongMerchant} 商户号不存在`, {
          field: '/belong_merchant',
          value: input.belongMerchant,
          location: 'body',
        });
      if (input.belongMerchant !== mchid)
        throw new ApiError('NOAUTH', '无权限：直连商户只能为本商户号创建商家券 (belong_merchant 须为调用商户号)');
      if (
        input.notifyAppid !== undefined &&
        !(await this.ctx.services.merchants.isAppidBound(mchid, input.notifyAppid))
      )
        throw new ApiError('APPID_MCHID_NOT_MATCH', 'notify_config.notify_appid 与请求方商户无关联关系');
      const now = this.ctx.clock();
      const row: repo.StockRow = {
        stock_id: numericId(10),
        creator_mchid: mchid,
        out_request_no: input.outRequestNo,
        request_hash: hash,
        belong_merchant: input.belongMerchant,
        stock_name: input.stockName,
        stock_type: input.stockType,
        coupon_code_mode: input.codeMode,
        // The sandbox has no review: a stock runs as soon as it is created (UNAUDIT is skipped).
        stock_state: 'RUNNING',
        available_begin_ms: input.beginMs,
        available_end_ms: input.endMs,
        max_coupons: input.maxCoupons,
        max_coupons_by_day: input.maxCouponsByDay ?? null,
        max_coupons_per_user: input.maxCouponsPerUser,
        natural_person_limit: input.naturalPersonLimit ? 1 : 0,
        prevent_api_abuse: input.preventApiAbuse ? 1 : 0,
        distributed_coupons: 0,
        uploaded_codes: 0,
        product_json: null,
        body_json: JSON.stringify(input.body),
        create_ms: now,
        update_ms: now,
      };
      await repo.insertStock(this.db, row);
      return { stock_id: row.stock_id, create_time: rfc3339(now) };
    });
  }

  /** A stock the caller may manage: its creator or its belonging merchant. */
  async managed(mchid: string, stockId: string): Promise<repo.StockRow> {
    const stock = await repo.findStock(this.db, stockId);
    if (!stock) throw new ApiError('RESOURCE_NOT_EXISTS', '批次不存在');
    if (stock.creator_mchid !== mchid && stock.belong_merchant !== mchid)
      throw new ApiError('NOAUTH', '无权限：调用商户不是该批次的创建商户或归属商户');
    return stock;
  }

  async get(mchid: string, stockId: string) {
    const stock = await this.managed(mchid, stockId);
    return this.view(stock);
  }

  /** The stocks a merchant manages, as B2 shows each (the sandbox's listing; WeChat Pay has no list API). */
  async list(mchid: string, offset: number, limit: number) {
    const { rows, total } = await repo.listStocks(this.db, mchid, offset, limit);
    const data = [];
    for (const row of rows) data.push(await this.view(row));
    return { data, total_count: total, offset, limit };
  }

  async view(stock: repo.StockRow) {
    const now = this.ctx.clock();
    const todaySent =
      stock.max_coupons_by_day !== null ? await repo.sentOn(this.db, stock.stock_id, beijingDay(now)) : 0;
    const availableCodes =
      stock.coupon_code_mode === 'MERCHANT_UPLOAD' ? await repo.availableCodeCount(this.db, stock.stock_id) : 0;
    return stockView(stock, now, { todaySent, availableCodes });
  }

  /** B3: only before the stock ends; the fields the sources mark as not modifiable are refused. */
  async modify(mchid: string, stockId: string, input: ModifyStockInput): Promise<void> {
    const stock = await this.managed(mchid, stockId);
    const now = this.ctx.clock();
    if (now >= stock.available_end_ms) throw new ApiError('INVALID_REQUEST', '批次已过期，不能修改');
    const body = JSON.parse(stock.body_json) as Record<string, unknown>;
    if (input.stockName !== undefined && input.stockName !== body.stock_name)
      throw fieldError('/stock_name', input.stockName, 'stock_name 暂不支持修改');
    if (input.naturalPersonLimit !== undefined && input.naturalPersonLimit !== (stock.natural_person_limit === 1))
      throw fieldError(
        '/stock_send_rule/natural_person_limit',
        input.naturalPersonLimit,
        'natural_person_limit 暂不支持修改',
      );
    if (input.subsidy === false && body.subsidy === true)
      throw fieldError('/subsidy', false, 'subsidy 只能由 false 改为 true');
    if (input.changes.notify_config) {
      const appid = (input.changes.notify_config as { notify_appid: string }).notify_appid;
      if (!(await this.ctx.services.merchants.isAppidBound(mchid, appid)))
        throw new ApiError('APPID_MCHID_NOT_MATCH', 'notify_config.notify_appid 与请求方商户无关联关系');
    }
    await once(
      this.db,
      now,
      { mchid, kind: 'modify', requestNo: input.outRequestNo, field: 'out_request_no' },
      { stockId, input },
      async (trx) => {
        const fresh = (await repo.findStock(trx, stockId)) as repo.StockRow;
        const next = { ...(JSON.parse(fresh.body_json) as Record<string, unknown>), ...input.changes };
        if (input.changes.coupon_use_rule)
          next.coupon_use_rule = {
            ...(JSON.parse(fresh.body_json).coupon_use_rule as object),
            ...(input.changes.coupon_use_rule as object),
          };
        if (input.subsidy !== undefined) next.subsidy = input.subsidy;
        await repo.updateStockBody(trx, stockId, {
          body_json: JSON.stringify(next),
          update_ms: now,
          ...(input.preventApiAbuse !== undefined ? { prevent_api_abuse: input.preventApiAbuse ? 1 : 0 } : {}),
        });
        return null;
      },
    );
  }

  /**
   * B4. Optimistic: the UPDATE applies only while the stored limit still equals `current_*`, and a
   * new total never drops below what was already issued, so concurrent changes cannot both win.
   */
  async budget(mchid: string, stockId: string, input: BudgetInput) {
    const stock = await this.managed(mchid, stockId);
    const now = this.ctx.clock();
    if (now >= stock.available_end_ms) throw new ApiError('INVALID_REQUEST', '批次已过期，不能修改预算');
    return once(
      this.db,
      now,
      { mchid, kind: 'budget', requestNo: input.requestNo, field: 'modify_budget_request_no' },
      { stockId, input },
      async (trx) => {
        const changed = await repo.changeBudget(trx, stockId, input, now);
        const fresh = (await repo.findStock(trx, stockId)) as repo.StockRow;
        if (!changed) throw budgetRefusal(input, fresh);
        return {
          max_coupons: fresh.max_coupons,
          ...(fresh.max_coupons_by_day !== null ? { max_coupons_by_day: fresh.max_coupons_by_day } : {}),
        };
      },
    );
  }

  /** B19: the URL COUPON.SEND goes to, for stocks the merchant created. */
  async setCallback(mchid: string, target: string | undefined, notifyUrl: string) {
    const who = target ?? mchid;
    if (!(await this.ctx.services.merchants.find(who)))
      throw new ApiError('MCH_NOT_EXISTS', '商户号不存在', { field: '/mchid', value: who, location: 'body' });
    if (who !== mchid) throw new ApiError('NOAUTH', '无权限：只能为调用商户号设置通知地址');
    const now = this.ctx.clock();
    await repo.upsertCallback(this.db, { mchid, notify_url: notifyUrl, update_ms: now });
    return { update_time: rfc3339(now), notify_url: notifyUrl, mchid };
  }

  async getCallback(mchid: string, target: string | undefined) {
    const who = target ?? mchid;
    if (!(await this.ctx.services.merchants.find(who)))
      throw new ApiError('MCH_NOT_EXISTS', '商户号不存在', { field: 'mchid', value: who, location: 'query' });
    if (who !== mchid) throw new ApiError('NOAUTH', '无权限：只能查询调用商户号的通知地址');
    const row = await repo.findCallback(this.db, mchid);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', '未设置商家券事件通知地址');
    return { notify_url: row.notify_url, mchid };
  }

  /**
   * Sandbox control: attaching product information makes a stock a 商品券 stock, the precondition of
   * B10 ("未关联商品信息的商家券不支持通过该接口发放"). The real service configures this outside the APIs.
   */
  async setProduct(stockId: string, product: Record<string, unknown> | null) {
    const productJson = product === null ? null : JSON.stringify(product);
    if (!(await repo.setProduct(this.db, stockId, productJson, this.ctx.clock())))
      throw new ApiError('RESOURCE_NOT_EXISTS', '批次不存在');
    return { stock_id: stockId, product_coupon: product !== null, ...(product ? { product } : {}) };
  }

  /** Sandbox control: pause, resume or stop a stock (there is no public API for it, §4.22). */
  async setState(stockId: string, state: 'RUNNING' | 'PAUSED' | 'STOPED') {
    const from = state === 'RUNNING' ? ['PAUSED'] : state === 'PAUSED' ? ['RUNNING'] : ['RUNNING', 'PAUSED', 'UNAUDIT'];
    const stock = await repo.findStock(this.db, stockId);
    if (!stock) throw new ApiError('RESOURCE_NOT_EXISTS', '批次不存在');
    if (!(await repo.transitionStock(this.db, stockId, from, state, this.ctx.clock())))
      throw new ApiError('INVALID_REQUEST', `批次状态 ${stockState(stock, this.ctx.clock())} 不能变为 ${state}`);
    return { stock_id: stockId, stock_state: state };
  }
}

function budgetRefusal(input: BudgetInput, fresh: repo.StockRow): ApiError {
  if (input.field === 'max_coupons') {
    if (fresh.max_coupons !== input.current)
      return fieldError(
        '/current_max_coupons',
        input.current,
        `current_max_coupons 与批次当前值 ${fresh.max_coupons} 不一致`,
      );
    return fieldError(
      '/target_max_coupons',
      input.target,
      `target_max_coupons 不能小于已发放数量 ${fresh.distributed_coupons}`,
    );
  }
  if (fresh.max_coupons_by_day === null)
    return fieldError('/target_max_coupons_by_day', input.target, '批次未设置单天发放上限 (max_coupons_by_day)');
  if (fresh.max_coupons_by_day !== input.current)
    return fieldError(
      '/current_max_coupons_by_day',
      input.current,
      `current_max_coupons_by_day 与批次当前值 ${fresh.max_coupons_by_day} 不一致`,
    );
  return fieldError('/target_max_coupons_by_day', input.target, 'target_max_coupons_by_day 不能大于 max_coupons');
}

function fieldError(field: string, value: unknown, message: string): ApiError {
  return new ApiError('INVALID_REQUEST', message, { field, value, location: 'body' });
}
