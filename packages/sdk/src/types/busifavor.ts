import type { Fen, OpenEnum, Rfc3339 } from './common.js';

// 商家券 (busifavor) request and response bodies, from coupon-api.md §4.

export type BusifavorStockType = OpenEnum<'NORMAL' | 'DISCOUNT' | 'EXCHANGE'>;
export type CouponCodeMode = OpenEnum<'WECHATPAY_MODE' | 'MERCHANT_API' | 'MERCHANT_UPLOAD'>;
export type UseMethod = OpenEnum<'OFF_LINE' | 'MINI_PROGRAMS' | 'PAYMENT_CODE' | 'SELF_CONSUME'>;
export type BusifavorStockState = OpenEnum<'UNAUDIT' | 'RUNNING' | 'STOPED' | 'PAUSED'>;
export type BusifavorCouponState = OpenEnum<
  | 'SENDED'
  | 'USED'
  | 'EXPIRED'
  | 'DELETED'
  | 'DEACTIVATED'
  | 'PENDING_REDEEM'
  | 'REDEEM_CONFIRMING'
  | 'REDEEM_FAILED'
  | 'REDEEM_EXPIRED'
>;
export type CodeDisplayMode = OpenEnum<'NOT_SHOW' | 'BARCODE' | 'QRCODE'>;

export interface BusifavorAvailableTime {
  available_begin_time: Rfc3339;
  available_end_time: Rfc3339;
  available_day_after_receive?: number;
  available_week?: { week_day?: number[]; available_day_time?: { begin_time: number; end_time: number }[] };
  irregulary_avaliable_time?: { begin_time: Rfc3339; end_time: Rfc3339 }[];
  wait_days_after_receive?: number;
  available_second_after_receive?: number;
}

export interface BusifavorCouponUseRule {
  coupon_available_time: BusifavorAvailableTime;
  fixed_normal_coupon?: { discount_amount: Fen; transaction_minimum: Fen };
  discount_coupon?: { discount_percent: number; transaction_minimum: Fen };
  exchange_coupon?: { exchange_price: Fen; transaction_minimum: Fen };
  use_method: UseMethod;
  mini_programs_appid?: string;
  mini_programs_path?: string;
}

export interface BusifavorStockSendRule {
  max_coupons?: number;
  max_coupons_per_user: number;
  max_coupons_by_day?: number;
  max_amount?: Fen;
  max_amount_by_day?: Fen;
  natural_person_limit?: boolean;
  prevent_api_abuse?: boolean;
  transferable?: boolean;
  shareable?: boolean;
}

export interface BusifavorCustomEntrance {
  mini_programs_info?: {
    mini_programs_appid: string;
    mini_programs_path: string;
    entrance_words: string;
    guiding_words?: string;
  };
  appid?: string;
  hall_id?: string;
  store_id?: string;
  code_display_mode?: CodeDisplayMode;
}

export interface BusifavorDisplayPatternInfo {
  description?: string;
  merchant_logo_url?: string;
  merchant_name?: string;
  background_color?: string;
  coupon_image_url?: string;
  finder_info?: { finder_id: string; finder_video_id: string; finder_video_cover_image_url: string };
}

/** B1 POST /v3/marketing/busifavor/stocks */
export interface BusifavorStockCreateRequest {
  stock_name: string;
  belong_merchant: string;
  comment?: string;
  goods_name: string;
  stock_type: BusifavorStockType;
  coupon_use_rule: BusifavorCouponUseRule;
  stock_send_rule: BusifavorStockSendRule;
  out_request_no: string;
  custom_entrance?: BusifavorCustomEntrance;
  display_pattern_info?: BusifavorDisplayPatternInfo;
  coupon_code_mode: CouponCodeMode;
  notify_config?: { notify_appid?: string };
  subsidy?: boolean;
}
export interface BusifavorStockCreateResponse {
  stock_id: string;
  create_time: Rfc3339;
}

/** B2 response. */
export interface BusifavorStock extends Omit<BusifavorStockCreateRequest, 'out_request_no'> {
  stock_id: string;
  stock_state: BusifavorStockState;
  coupon_code_count?: { total_count: number; available_count: number };
  send_count_information?: {
    total_send_num?: number;
    total_send_amount?: Fen;
    today_send_num?: number;
    today_send_amount?: Fen;
  };
}

/** B3 PATCH (answers 204). */
export interface BusifavorStockModifyRequest {
  out_request_no: string;
  custom_entrance?: Omit<BusifavorCustomEntrance, 'store_id'>;
  stock_name?: string;
  comment?: string;
  goods_name?: string;
  display_pattern_info?: BusifavorDisplayPatternInfo;
  coupon_use_rule?: Pick<BusifavorCouponUseRule, 'use_method' | 'mini_programs_appid' | 'mini_programs_path'>;
  stock_send_rule?: Pick<BusifavorStockSendRule, 'natural_person_limit' | 'prevent_api_abuse'>;
  notify_config?: { notify_appid?: string };
  subsidy?: boolean;
}

/** B4 */
export interface BusifavorBudgetRequest {
  target_max_coupons?: number;
  target_max_coupons_by_day?: number;
  current_max_coupons?: number;
  current_max_coupons_by_day?: number;
  modify_budget_request_no: string;
}
export interface BusifavorBudgetResponse {
  max_coupons: number;
  max_coupons_by_day?: number;
}

/** B5 */
export interface CouponCodeUploadRequest {
  coupon_code_list: string[];
  upload_request_no: string;
}
export interface CouponCodeUploadResponse {
  stock_id: string;
  total_count: number;
  success_count: number;
  success_codes?: string[];
  success_time: Rfc3339;
  fail_count?: number;
  fail_codes?: { coupon_code: string; code: string; message: string }[];
  exist_codes?: string[];
  duplicate_codes?: string[];
}

export interface CouponCodeEntity {
  code: string;
  code_status: OpenEnum<'AVAILABLE' | 'DISPATCHED'>;
  upload_time: Rfc3339;
  dispatched_time?: Rfc3339;
  openid?: string;
  unionid?: string;
  coupon_code?: string;
}
/** B6 */
export interface CouponCodeListQuery {
  limit?: number;
  offset?: number;
  appid?: string;
  status?: string;
}
export interface CouponCodeListResponse {
  stock_id: string;
  total_count: number;
  data: CouponCodeEntity[];
  offset: number;
  limit: number;
}

/** B7, B13, B14 */
export interface BusifavorCoupon {
  belong_merchant: string;
  stock_name: string;
  comment?: string;
  goods_name: string;
  stock_type: BusifavorStockType;
  transferable?: boolean;
  shareable?: boolean;
  coupon_state?: BusifavorCouponState;
  display_pattern_info?: BusifavorDisplayPatternInfo;
  coupon_use_rule: BusifavorCouponUseRule;
  custom_entrance?: BusifavorCustomEntrance;
  coupon_code?: string;
  stock_id?: string;
  available_start_time: Rfc3339;
  expire_time: Rfc3339;
  receive_time: Rfc3339;
  send_request_no?: string;
  use_request_no?: string;
  use_time?: Rfc3339;
  associate_out_trade_no?: string;
  return_request_no?: string;
  return_time?: Rfc3339;
  deactivate_request_no?: string;
  deactivate_time?: Rfc3339;
  deactivate_reason?: string;
}
export interface CouponCodeDetailResponse {
  code_information: CouponCodeEntity;
  coupon_information?: BusifavorCoupon;
}
export interface CouponCodeDeleteResponse {
  stock_id: string;
  delete_time: Rfc3339;
}

/** B9 */
export interface BusifavorCouponSendRequest {
  openid: string;
  appid: string;
  stock_id: string;
  out_request_no: string;
  coupon_code?: string;
}
export interface BusifavorSendResult {
  stock_id: string;
  coupon_code: string;
  out_request_no: string;
}
type SendResult = BusifavorSendResult;
/**
 * The sources disagree on the shape: flat ([OA], the IM pages), or wrapped in `send_coupon_result`
 * (the official generated SDKs). `busifavorSendResult()` reads either.
 */
export type BusifavorCouponSendResponse = SendResult | { send_coupon_result: SendResult };

/** B10 */
export interface ProductCouponSendRequest {
  openid: string;
  appid: string;
  stock_id: string;
  out_request_no: string;
  coupon_code?: string;
  coupon_type: OpenEnum<'NORMAL' | 'MEMBER'>;
  member_card_id?: string;
}
export type ProductCouponSendResponse = SendResult;

/** B11 */
export interface ProductCouponPreSendRequest {
  stock_id: string;
  coupon_code?: string;
  appid: string;
  openid?: string;
  send_request_no: string;
}
export interface ProductCouponPreSendResponse {
  token: string;
}

/** B12 */
export interface BusifavorCouponUseRequest {
  coupon_code: string;
  stock_id?: string;
  appid: string;
  use_time: Rfc3339;
  use_request_no: string;
  openid?: string;
  out_trade_no?: string;
  mch_id?: string;
  transaction_id?: string;
}
export interface BusifavorCouponUseResponse {
  stock_id: string;
  openid: string;
  wechatpay_use_time: Rfc3339;
}

/** B13 */
export interface BusifavorUserCouponsQuery {
  appid: string;
  stock_id?: string;
  coupon_state?: BusifavorCouponState;
  creator_merchant?: string;
  belong_merchant?: string;
  sender_merchant?: string;
  offset?: number;
  limit?: number;
}
export interface BusifavorUserCouponsResponse {
  data: BusifavorCoupon[];
  total_count: number;
  offset: number;
  limit: number;
}

/** B15/B16 */
export interface BusifavorAssociateRequest {
  stock_id: string;
  coupon_code: string;
  out_trade_no: string;
  out_request_no: string;
}
/** B17 */
export interface BusifavorReturnRequest {
  coupon_code: string;
  stock_id: string;
  return_request_no: string;
}
/** B18 */
export interface BusifavorDeactivateRequest {
  coupon_code: string;
  stock_id: string;
  deactivate_request_no: string;
  deactivate_reason?: string;
}
/** B19 */
export interface BusifavorCallbacksRequest {
  mchid?: string;
  notify_url: string;
}
export interface BusifavorCallbacksResponse {
  update_time?: Rfc3339;
  notify_url: string;
  mchid: string;
}
