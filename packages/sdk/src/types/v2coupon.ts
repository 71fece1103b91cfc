import type { OpenEnum } from './common.js';

// The three APIv2 coupon APIs (coupon-api.md §2). Every value on the wire is a string; numbers are
// accepted on input and sent as their decimal text. `mch_id` defaults to the client's mchid.

type Str = string | number;

interface V2Common {
  appid: string;
  mch_id?: Str;
  op_user_id?: Str;
  device_info?: string;
  nonce_str?: string;
  version?: OpenEnum<'1.0'>;
  type?: OpenEnum<'XML'>;
  sign_type?: OpenEnum<'MD5' | 'HMAC-SHA256'>;
}

/** The fields every successful v2 answer carries. */
export interface V2ResponseCommon {
  return_code: 'SUCCESS';
  return_msg?: string;
  appid?: string;
  mch_id?: string;
  device_info?: string;
  nonce_str?: string;
  sign?: string;
  result_code: 'SUCCESS';
  err_code?: string;
  err_code_des?: string;
  [field: string]: string | undefined;
}

/** §2.2 send_coupon (needs `security: true`). */
export interface SendCouponRequest extends V2Common {
  coupon_stock_id: Str;
  openid_count: Str;
  partner_trade_no: string;
  openid: string;
}
export interface SendCouponResponse extends V2ResponseCommon {
  coupon_stock_id: string;
  resp_count: string;
  success_count: string;
  failed_count: string;
  openid: string;
  ret_code: OpenEnum<'SUCCESS' | 'FAILED' | 'FAIL'>;
  coupon_id: string;
  ret_msg?: string;
}

/** §2.3 query_coupon_stock */
export interface QueryCouponStockRequest extends V2Common {
  coupon_stock_id: Str;
}
export interface QueryCouponStockResponse extends V2ResponseCommon {
  coupon_stock_id: string;
  coupon_name?: string;
  coupon_value: string;
  /** Spelled so on the wire. */
  coupon_mininumn?: string;
  coupon_type?: string;
  coupon_stock_status: OpenEnum<'1' | '2' | '4' | '8' | '16'>;
  coupon_total: string;
  max_quota?: string;
  is_send_num?: string;
  begin_time: string;
  end_time: string;
  create_time: string;
  coupon_budget?: string;
}

/** §2.4 querycouponsinfo */
export interface QueryCouponsInfoRequest extends V2Common {
  coupon_id: Str;
  openid: string;
  stock_id: Str;
}
export interface QueryCouponsInfoResponse extends V2ResponseCommon {
  coupon_stock_id: string;
  coupon_id: string;
  coupon_value: string;
  /** The threshold has three spellings across sources; read whichever is present. */
  coupon_mininum?: string;
  coupon_mininumn?: string;
  coupon_minimum?: string;
  coupon_name: string;
  coupon_state: OpenEnum<'SENDED' | 'USED' | 'EXPIRED'>;
  coupon_desc: string;
  coupon_use_value: string;
  coupon_remain_value: string;
  send_source: OpenEnum<'FULL_SEND' | 'NORMAL'>;
  is_partial_use?: string;
}
