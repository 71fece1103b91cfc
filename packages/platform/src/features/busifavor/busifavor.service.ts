import type { Kysely } from 'kysely';
import type { PlatformContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { BusifavorCodes } from './busifavor.coupon-codes.js';
import { BusifavorCoupons } from './busifavor.coupons.js';
import * as repo from './busifavor.repository.js';
import { BusifavorStocks } from './busifavor.stocks.js';

/** The 商家券 services other features, the CLI and tests can call (ctx.services.busifavor). */
export class BusifavorService {
  readonly stocks: BusifavorStocks;
  readonly codes: BusifavorCodes;
  readonly coupons: BusifavorCoupons;

  constructor(private readonly ctx: PlatformContext) {
    this.stocks = new BusifavorStocks(ctx);
    this.codes = new BusifavorCodes(ctx);
    this.coupons = new BusifavorCoupons(ctx);
  }

  private get db() {
    return this.ctx.db;
  }

  /**
   * The COUPON.SEND URL of a merchant (B19), if set; read in `db` when given, so that a notification
   * written inside the issuing transaction sees that transaction.
   */
  async callbackUrl(mchid: string, db: Kysely<Database> = this.db): Promise<string | undefined> {
    return (await repo.findCallback(db, mchid))?.notify_url;
  }

  // Stored rows across merchants, for the web console (no merchant's rights apply to it).

  recentStocks(limit: number): Promise<repo.StockRow[]> {
    return repo.recentStocks(this.db, limit);
  }

  stockRow(stockId: string): Promise<repo.StockRow | undefined> {
    return repo.findStock(this.db, stockId);
  }

  couponRow(stockId: string, code: string): Promise<repo.CouponRow | undefined> {
    return repo.findCoupon(this.db, stockId, code);
  }

  couponsOfStock(stockId: string, limit: number): Promise<repo.CouponRow[]> {
    return repo.couponsOfStock(this.db, stockId, limit);
  }

  couponsOfUser(openid: string, appid: string, limit: number): Promise<repo.CouponRow[]> {
    return repo.couponsOfUser(this.db, openid, appid, limit);
  }

  dailyCounts(day: string): Promise<Map<string, number>> {
    return repo.dailyCounts(this.db, day);
  }
}

declare module '../../context.js' {
  interface PlatformServices {
    busifavor: BusifavorService;
  }
}
