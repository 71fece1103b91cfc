import type { SendArgs } from '../../src/features/favor/favor.repository.js';

/**
 * Numbered one-step sends of the demo merchant's own stock, for tests that call the repository's send directly:
 * each call gets a fresh user, request number and coupon id (`tag` keeps them apart between test files, `digit`
 * leads the coupon ids); `over` replaces any field.
 */
export function sendArgsMaker(credentials: { mchid: string; appid: string }, tag: string, digit: string) {
  let serial = 0;
  return {
    /** The number the last call used. */
    get last() {
      return serial - 1;
    },
    next(stockId: string, over: Partial<SendArgs> = {}): SendArgs {
      const n = serial++;
      return {
        sender: credentials.mchid,
        appid: credentials.appid,
        openid: `o-${tag}-${n}`,
        stockId,
        creator: credentials.mchid,
        autoRegister: true,
        couponId: `${digit}${String(n).padStart(17, '0')}`,
        outRequestNo: `${tag}-${n}`,
        hash: 'h',
        now: Date.now(),
        day: '2026-12-02',
        ...over,
      };
    },
  };
}
