import type { PlatformContext } from '../../context.js';
import { FavorCallbacks } from './favor.callbacks.js';
import { FavorCoupons } from './favor.coupons.js';
import * as repo from './favor.repository.js';
import { FavorStocks } from './favor.stocks.js';

// The 代金券 rules, one part per concern as 商家券 has them: stocks (favor.stocks.ts), coupons
// (favor.coupons.ts) and notification URLs (favor.callbacks.ts). No HTTP here; errors are ApiError codes
// from the registry.

/**
 * The 代金券 services the routes, the admin API, APIv2, the console and tests call (ctx.services.favor):
 * one name per operation, each answered by the part that owns it.
 */
export class FavorService {
  readonly stocks: FavorStocks;
  readonly coupons: FavorCoupons;
  readonly callbacks: FavorCallbacks;

  constructor(private readonly ctx: PlatformContext) {
    this.stocks = new FavorStocks(ctx);
    this.coupons = new FavorCoupons(ctx);
    this.callbacks = new FavorCallbacks(ctx);
  }

  private get db() {
    return this.ctx.db;
  }

  createStock(...a: Parameters<FavorStocks['createStock']>) {
    return this.stocks.createStock(...a);
  }

  start(...a: Parameters<FavorStocks['start']>) {
    return this.stocks.start(...a);
  }

  pause(...a: Parameters<FavorStocks['pause']>) {
    return this.stocks.pause(...a);
  }

  restart(...a: Parameters<FavorStocks['restart']>) {
    return this.stocks.restart(...a);
  }

  stop(...a: Parameters<FavorStocks['stop']>) {
    return this.stocks.stop(...a);
  }

  getStock(...a: Parameters<FavorStocks['getStock']>) {
    return this.stocks.getStock(...a);
  }

  listStocks(...a: Parameters<FavorStocks['listStocks']>) {
    return this.stocks.listStocks(...a);
  }

  stockList(...a: Parameters<FavorStocks['stockList']>) {
    return this.stocks.stockList(...a);
  }

  setSpecifiedValue(...a: Parameters<FavorStocks['setSpecifiedValue']>) {
    return this.stocks.setSpecifiedValue(...a);
  }

  authorizeSender(...a: Parameters<FavorStocks['authorizeSender']>) {
    return this.stocks.authorizeSender(...a);
  }

  send(...a: Parameters<FavorCoupons['send']>) {
    return this.coupons.send(...a);
  }

  getCoupon(...a: Parameters<FavorCoupons['getCoupon']>) {
    return this.coupons.getCoupon(...a);
  }

  listCoupons(...a: Parameters<FavorCoupons['listCoupons']>) {
    return this.coupons.listCoupons(...a);
  }

  markUsed(...a: Parameters<FavorCoupons['markUsed']>) {
    return this.coupons.markUsed(...a);
  }

  couponById(...a: Parameters<FavorCoupons['couponById']>) {
    return this.coupons.couponById(...a);
  }

  setCallback(...a: Parameters<FavorCallbacks['setCallback']>) {
    return this.callbacks.setCallback(...a);
  }

  getCallback(...a: Parameters<FavorCallbacks['getCallback']>) {
    return this.callbacks.getCallback(...a);
  }

  callbackUrl(...a: Parameters<FavorCallbacks['callbackUrl']>) {
    return this.callbacks.callbackUrl(...a);
  }

  // Stored rows across merchants, for the web console and APIv2 (no merchant's rights apply to them).

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

declare module '../../context.js' {
  interface PlatformServices {
    favor: FavorService;
  }
}
