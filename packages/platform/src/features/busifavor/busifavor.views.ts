import { rfc3339 } from '../../clock.js';
import type { CodeRow, CouponRow, StockRow } from './busifavor.repository.js';

// Wire shapes of 商家券 stocks, coupons and codes (coupon-api.md §4.4, §4.7, §4.8). States are
// computed at read time: a stock past its end reads STOPED, an unused coupon past expiry EXPIRED.

export function stockState(s: StockRow, now: number): string {
  if ((s.stock_state === 'RUNNING' || s.stock_state === 'PAUSED') && now > s.available_end_ms) return 'STOPED';
  return s.stock_state;
}

export function couponState(c: CouponRow, now: number): string {
  return c.state === 'SENDED' && now > c.expire_ms ? 'EXPIRED' : c.state;
}

/** The resource of a COUPON.SEND notification (coupon-api.md §4.19); `openid` only under notify_appid. */
export function sendNotice(c: CouponRow, notifyOpenid: string | undefined): Record<string, unknown> {
  return {
    event_type: 'EVENT_TYPE_BUSICOUPON_SEND',
    coupon_code: c.coupon_code,
    stock_id: c.stock_id,
    send_time: rfc3339(c.receive_ms),
    ...(notifyOpenid !== undefined ? { openid: notifyOpenid } : {}),
    send_channel: 'BUSICOUPON_SEND_CHANNEL_API',
    send_merchant: c.sender_mchid,
  };
}

export function stockView(
  s: StockRow,
  now: number,
  counts: { todaySent: number; availableCodes: number },
): Record<string, unknown> {
  const body = JSON.parse(s.body_json) as Record<string, unknown>;
  const sendRule: Record<string, unknown> = {
    ...(body.stock_send_rule as Record<string, unknown>),
    max_coupons: s.max_coupons,
  };
  if (s.max_coupons_by_day !== null) sendRule.max_coupons_by_day = s.max_coupons_by_day;
  sendRule.natural_person_limit = s.natural_person_limit === 1;
  sendRule.prevent_api_abuse = s.prevent_api_abuse === 1;
  return {
    ...body,
    stock_send_rule: sendRule,
    stock_id: s.stock_id,
    stock_state: stockState(s, now),
    ...(s.coupon_code_mode === 'MERCHANT_UPLOAD'
      ? { coupon_code_count: { total_count: s.uploaded_codes, available_count: counts.availableCodes } }
      : {}),
    send_count_information: {
      total_send_num: s.distributed_coupons,
      ...(s.stock_type === 'NORMAL' ? { total_send_amount: s.distributed_coupons * discountAmount(body) } : {}),
      ...(s.max_coupons_by_day !== null ? { today_send_num: counts.todaySent } : {}),
    },
  };
}

function discountAmount(body: Record<string, unknown>): number {
  const rule = body.coupon_use_rule as { fixed_normal_coupon?: { discount_amount?: number } } | undefined;
  return rule?.fixed_normal_coupon?.discount_amount ?? 0;
}

export function couponView(c: CouponRow, s: StockRow, now: number): Record<string, unknown> {
  const body = JSON.parse(s.body_json) as Record<string, unknown>;
  return {
    belong_merchant: c.belong_merchant,
    stock_name: body.stock_name,
    ...(body.comment !== undefined ? { comment: body.comment } : {}),
    goods_name: body.goods_name,
    stock_type: s.stock_type,
    transferable: false,
    shareable: false,
    coupon_state: couponState(c, now),
    ...(body.display_pattern_info ? { display_pattern_info: body.display_pattern_info } : {}),
    coupon_use_rule: body.coupon_use_rule,
    ...(body.custom_entrance ? { custom_entrance: body.custom_entrance } : {}),
    coupon_code: c.coupon_code,
    stock_id: c.stock_id,
    available_start_time: rfc3339(c.available_start_ms),
    expire_time: rfc3339(c.expire_ms),
    receive_time: rfc3339(c.receive_ms),
    send_request_no: c.out_request_no,
    ...(c.use_request_no !== null ? { use_request_no: c.use_request_no } : {}),
    ...(c.use_ms !== null ? { use_time: rfc3339(c.use_ms) } : {}),
    ...(c.associate_out_trade_no !== null ? { associate_out_trade_no: c.associate_out_trade_no } : {}),
    ...(c.return_request_no !== null ? { return_request_no: c.return_request_no } : {}),
    ...(c.return_ms !== null ? { return_time: rfc3339(c.return_ms) } : {}),
    ...(c.deactivate_request_no !== null ? { deactivate_request_no: c.deactivate_request_no } : {}),
    ...(c.deactivate_ms !== null ? { deactivate_time: rfc3339(c.deactivate_ms) } : {}),
    ...(c.deactivate_reason !== null ? { deactivate_reason: c.deactivate_reason } : {}),
  };
}

export function codeView(c: CodeRow): Record<string, unknown> {
  return {
    code: c.code,
    code_status: c.status,
    upload_time: rfc3339(c.upload_ms),
    ...(c.dispatched_ms !== null ? { dispatched_time: rfc3339(c.dispatched_ms) } : {}),
    ...(c.openid !== null ? { openid: c.openid } : {}),
    ...(c.status === 'DISPATCHED' ? { coupon_code: c.code } : {}),
  };
}
