import type { FavorCoupon, FavorCouponStatus, FavorStock } from '@wxcoupon/sdk';
import { rfc3339 } from '../../clock.js';
import type { CouponRow, StockRow } from './favor.repository.js';
import type { StockRules } from './favor.schema.js';

// Wire shapes of stocks and coupons (coupon-api.md §3.2, §3.7), typed with the SDK's own response
// types so that the platform and the SDK cannot drift apart. Status is computed at read time:
// a stock whose window has ended reads `stoped`; an unused coupon past its end reads `EXPIRED`.

export function stockStatus(s: StockRow, now: number): string {
  if ((s.status === 'running' || s.status === 'paused') && now > s.available_end_ms) return 'stoped';
  return s.status;
}

/** Also a plain record, for callers that pass views on as JSON objects (events, other families). */
export type StockView = FavorStock & Record<string, unknown>;
export type CouponView = FavorCoupon & Record<string, unknown>;

export function stockView(s: StockRow, now: number): StockView {
  const rules = JSON.parse(s.rules_json) as StockRules;
  const status = stockStatus(s, now);
  const stopMs = s.stop_ms ?? (status === 'stoped' ? s.available_end_ms : null);
  return {
    stock_id: s.stock_id,
    stock_creator_mchid: s.creator_mchid,
    stock_name: s.stock_name,
    status,
    create_time: rfc3339(s.create_ms),
    description: rules.description,
    stock_use_rule: {
      max_coupons: s.max_coupons,
      max_amount: s.max_amount,
      ...(s.max_amount_by_day !== null ? { max_amount_by_day: s.max_amount_by_day } : {}),
      fixed_normal_coupon: { coupon_amount: s.coupon_amount, transaction_minimum: s.transaction_minimum },
      max_coupons_per_user: s.max_coupons_per_user,
      coupon_type: 'NORMAL',
      combine_use: rules.combine_use ?? true,
    },
    available_begin_time: rfc3339(s.available_begin_ms),
    available_end_time: rfc3339(s.available_end_ms),
    distributed_coupons: s.distributed_coupons,
    no_cash: s.no_cash === 1,
    ...(s.start_ms !== null ? { start_time: rfc3339(s.start_ms) } : {}),
    ...(stopMs !== null ? { stop_time: rfc3339(stopMs) } : {}),
    singleitem: s.singleitem === 1,
    stock_type: s.stock_type,
  };
}

export function couponStatus(c: CouponRow, now: number): FavorCouponStatus {
  return c.status === 'SENDED' && now > c.available_end_ms ? 'EXPIRED' : c.status;
}

export function couponView(c: CouponRow, s: StockRow, now: number): CouponView {
  const rules = JSON.parse(s.rules_json) as StockRules;
  const consume = c.consume_json ? (JSON.parse(c.consume_json) as FavorCoupon['consume_information']) : undefined;
  return {
    stock_creator_mchid: c.creator_mchid,
    stock_id: c.stock_id,
    coupon_id: c.coupon_id,
    coupon_name: s.stock_name,
    status: couponStatus(c, now),
    description: rules.description,
    create_time: rfc3339(c.create_ms),
    coupon_type: 'NORMAL',
    no_cash: s.no_cash === 1,
    available_begin_time: rfc3339(c.available_begin_ms),
    available_end_time: rfc3339(c.available_end_ms),
    singleitem: s.singleitem === 1,
    normal_coupon_information: { coupon_amount: c.coupon_amount, transaction_minimum: c.transaction_minimum },
    ...(consume ? { consume_information: consume } : {}),
  };
}
