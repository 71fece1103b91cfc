import type { Wechatpay } from '@wxcoupon/sdk';
import type { PlatformOptions } from '../src/index.js';
import { sdkFor } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// Shared setup of the 商家券 tests: a platform, the demo merchant's SDK client, and valid B1 bodies.

export const BUSIFAVOR_LIMITS: Record<string, number> = {
  'busifavor.stocks.create': 100_000,
  'busifavor.coupons.use': 100_000,
};

export interface BusifavorHarness extends TestPlatform {
  wxpay: Wechatpay;
  mchid: string;
  appid: string;
  /** Creates a stock through B1 and returns its id. */
  createStock(mode?: string, over?: StockOverrides): Promise<string>;
  /** Sends one coupon through B9 and returns its code. */
  send(stockId: string, openid: string, extra?: Record<string, unknown>): Promise<string>;
}

export interface StockOverrides {
  top?: Record<string, unknown>;
  send?: Record<string, unknown>;
  time?: Record<string, unknown>;
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A valid B1 body for a NORMAL stock running from a minute ago for 30 days. */
export function busifavorStockBody(mchid: string, mode: string, over: StockOverrides = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    stock_name: '测试商家券',
    belong_merchant: mchid,
    comment: '测试',
    goods_name: '满10减1',
    stock_type: 'NORMAL',
    coupon_use_rule: {
      coupon_available_time: {
        available_begin_time: new Date(now - 60_000).toISOString(),
        available_end_time: new Date(now + 30 * 86_400_000).toISOString(),
        ...over.time,
      },
      fixed_normal_coupon: { discount_amount: 100, transaction_minimum: 1000 },
      use_method: 'OFF_LINE',
    },
    stock_send_rule: { max_coupons: 100, max_coupons_per_user: 5, ...over.send },
    out_request_no: unique('bstock'),
    coupon_code_mode: mode,
    display_pattern_info: { description: '测试用', background_color: 'Color020' },
    ...over.top,
  };
}

export async function startBusifavor(options: Partial<PlatformOptions> = {}): Promise<BusifavorHarness> {
  const t = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, ...options });
  const wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
  const mchid = t.platform.credentials.mchid;
  const appid = t.platform.credentials.appid;
  return {
    ...t,
    wxpay,
    mchid,
    appid,
    async createStock(mode = 'WECHATPAY_MODE', over = {}) {
      const res = await wxpay.v3.marketing.busifavor.stocks.post({
        json: busifavorStockBody(mchid, mode, over) as never,
      });
      return res.data.stock_id;
    },
    async send(stockId, openid, extra = {}) {
      const res = await wxpay.v3.marketing.busifavor.coupons.send.post({
        json: { stock_id: stockId, openid, appid, out_request_no: unique('send'), ...extra },
      });
      const data = res.data as { send_coupon_result: { coupon_code: string } };
      return data.send_coupon_result.coupon_code;
    },
    async close() {
      wxpay.close();
      await t.close();
    },
  };
}
