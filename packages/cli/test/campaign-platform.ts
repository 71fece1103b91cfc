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
  close(): Promise<void>;
}

const HIGH = 1_000_000;

export async function startTestPlatform(): Promise<TestPlatform> {
  const tmp = tempDir('wxcoupon-campaign-platform-');
  const platform = await createPlatform({
    dataDir: tmp.dir,
    log: () => {},
    rateLimits: { 'favor.coupons.send': HIGH, 'favor.coupons.list': HIGH, 'favor.stocks.get': HIGH },
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
