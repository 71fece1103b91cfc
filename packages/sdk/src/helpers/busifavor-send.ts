import type { BusifavorCouponSendResponse, BusifavorSendResult } from '../types/busifavor.js';

/**
 * The result of a 商家券 `coupons/send`, whichever shape the answer has: `{send_coupon_result: {…}}`
 * (what WeChat Pay's generated SDKs decode) or the flat `{stock_id, coupon_code, out_request_no}`.
 */
export function busifavorSendResult(data: BusifavorCouponSendResponse): BusifavorSendResult {
  return 'send_coupon_result' in data ? data.send_coupon_result : data;
}
