import type { PlatformContext } from '../../context.js';
import { BusifavorCodes } from './busifavor.codes.js';
import { BusifavorCoupons } from './busifavor.coupons.js';
import { BusifavorStocks } from './busifavor.stocks.js';

/** The 商家券 services other features, the CLI and tests can call (ctx.services.busifavor). */
export class BusifavorService {
  readonly stocks: BusifavorStocks;
  readonly codes: BusifavorCodes;
  readonly coupons: BusifavorCoupons;

  constructor(ctx: PlatformContext) {
    this.stocks = new BusifavorStocks(ctx);
    this.codes = new BusifavorCodes(ctx);
    this.coupons = new BusifavorCoupons(ctx);
  }
}

declare module '../../context.js' {
  interface PlatformServices {
    busifavor: BusifavorService;
  }
}
