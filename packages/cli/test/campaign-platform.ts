import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { type FetchLike, Wechatpay } from '@wxcoupon/sdk';
import { tempDir } from './campaign-helpers.js';

/** A platform for campaign tests: listening on port 0, rate limits raised, with helpers to set up and inspect. */
export interface TestPlatform {
  platform: Platform;
  url: string;
  dir: string;
  /** Writes a credentials.json for the demo merchant pointing at `baseURL` (default: the platform). */
  credentialsFile(baseURL?: string): string;
  /** A running 代金券 stock of the demo merchant with room for `maxCoupons`. */
  createStock(maxCoupons: number, options?: { preventApiAbuse?: boolean }): Promise<string>;
  /** The coupons a user holds of a stock, as the query API (F10) reports them. */
  couponsOf(openid: string, stockId: string): Promise<string[]>;
  /** `distributed_coupons` of a stock, from the stock query API (F7). */
  distributed(stockId: string): Promise<number>;
  markAbnormal(openid: string): Promise<void>;
  /** A running 商家券 stock (B1) in the given code mode; `product` attaches product info (a 商品券 stock). */
  createBusifavorStock(mode: 'WECHATPAY_MODE' | 'MERCHANT_API', maxCoupons: number, product?: boolean): Promise<string>;
  /** The coupon codes a user holds of a 商家券 stock (B13). */
  busifavorCodesOf(openid: string, stockId: string): Promise<string[]>;
  /** `send_count_information.total_send_num` of a 商家券 stock (B2). */
  busifavorSent(stockId: string): Promise<number>;
  close(): Promise<void>;
}

const HIGH = 1_000_000;

export async function startTestPlatform(): Promise<TestPlatform> {
  const tmp = tempDir('wxcoupon-campaign-platform-');
  const platform = await createPlatform({
    dataDir: tmp.dir,
    log: () => {},
    rateLimits: {
      'favor.coupons.send': HIGH,
      'favor.coupons.list': HIGH,
      'favor.stocks.get': HIGH,
      'busifavor.stocks.create': HIGH,
    },
  });
  const { url } = await platform.listen({ host: '127.0.0.1', port: 0 });
  const c = platform.credentials;
  const query = new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: readFileSync(c.privateKeyFile, 'utf8'),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile, 'utf8') },
    baseURL: url,
    fetch: platform.fetch as FetchLike,
  });
  let files = 0;
  return {
    platform,
    url,
    dir: tmp.dir,
    credentialsFile(baseURL = url) {
      const file = join(tmp.dir, `credentials-${files++}.json`);
      writeFileSync(file, JSON.stringify({ ...c, baseURL }));
      return file;
    },
    async createStock(maxCoupons, options = {}) {
      const favor = platform.context.services.favor;
      const now = Date.now();
      const { stock_id } = await favor.createStock(c.mchid, {
        stockName: 'campaign test',
        comment: undefined,
        belongMerchant: c.mchid,
        beginMs: now,
        endMs: now + 30 * 86_400_000,
        maxCoupons,
        maxAmount: maxCoupons * 100,
        maxAmountByDay: undefined,
        maxCouponsPerUser: 100,
        naturalPersonLimit: false,
        preventApiAbuse: options.preventApiAbuse ?? false,
        couponAmount: 100,
        transactionMinimum: 101,
        noCash: false,
        outRequestNo: `stock${now}${Math.random().toString(36).slice(2, 8)}`,
        availableMerchants: [c.mchid],
        singleitem: false,
        rules: { description: 'campaign test', available_merchants: [c.mchid] },
      });
      await favor.start(c.mchid, stock_id, c.mchid);
      return stock_id;
    },
    async couponsOf(openid, stockId) {
      const res = await query.request<{ data?: { coupon_id: string }[] }>(
        'GET',
        'v3/marketing/favor/users/{openid}/coupons',
        { openid, query: { appid: c.appid, stock_id: stockId, creator_mchid: c.mchid, limit: 100 } },
      );
      return (res.data.data ?? []).map((x) => x.coupon_id);
    },
    async distributed(stockId) {
      const res = await query.request<{ distributed_coupons: number }>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
        stock_id: stockId,
        query: { stock_creator_mchid: c.mchid },
      });
      return res.data.distributed_coupons;
    },
    async createBusifavorStock(mode, maxCoupons, product = false) {
      const now = Date.now();
      const res = await query.request<{ stock_id: string }>('POST', 'v3/marketing/busifavor/stocks', {
        json: {
          stock_name: '活动券',
          belong_merchant: c.mchid,
          goods_name: '满10减1',
          stock_type: 'NORMAL',
          coupon_use_rule: {
            coupon_available_time: {
              available_begin_time: new Date(now - 60_000).toISOString(),
              available_end_time: new Date(now + 7 * 86_400_000).toISOString(),
            },
            fixed_normal_coupon: { discount_amount: 100, transaction_minimum: 1000 },
            use_method: 'OFF_LINE',
          },
          stock_send_rule: { max_coupons: maxCoupons, max_coupons_per_user: 5 },
          out_request_no: `bstock${now}${Math.random().toString(36).slice(2, 8)}`,
          coupon_code_mode: mode,
          display_pattern_info: { description: 'campaign test', background_color: 'Color020' },
        },
      });
      const stockId = res.data.stock_id;
      if (product) await platform.context.services.busifavor.stocks.setProduct(stockId, { product_id: 'sku-1' });
      return stockId;
    },
    async busifavorCodesOf(openid, stockId) {
      const res = await query.request<{ data?: { coupon_code: string }[] }>(
        'GET',
        'v3/marketing/busifavor/users/{openid}/coupons',
        { openid, query: { appid: c.appid, stock_id: stockId, belong_merchant: c.mchid, limit: 50 } },
      );
      return (res.data.data ?? []).map((x) => x.coupon_code);
    },
    async busifavorSent(stockId) {
      const res = await query.request<{ send_count_information: { total_send_num: number } }>(
        'GET',
        'v3/marketing/busifavor/stocks/{stock_id}',
        { stock_id: stockId },
      );
      return res.data.send_count_information.total_send_num;
    },
    async markAbnormal(openid) {
      await platform.context.services.merchants.addUser({ appid: c.appid, openid, abnormal: true });
    },
    async close() {
      query.close();
      await platform.close();
      tmp.cleanup();
    },
  };
}

/** Runs `f` over `items` with at most `limit` at once. */
export async function eachLimited<T>(items: T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}
