import type { Fen, OpenEnum, Rfc3339 } from './common.js';

// 代金券 (favor) request and response bodies, from coupon-api.md §3.

export type FavorStockStatus = OpenEnum<'unactivated' | 'audit' | 'running' | 'stoped' | 'paused'>;
export type FavorStockType = OpenEnum<'NORMAL' | 'DISCOUNT_CUT' | 'OTHER'>;
export type FavorCouponStatus = OpenEnum<'SENDED' | 'USED' | 'EXPIRED' | 'RECOVER'>;
export type FavorCouponType = OpenEnum<'NORMAL' | 'CUT_TO'>;
export type FavorTradeType = OpenEnum<'MICROAPP' | 'APPPAY' | 'PPAY' | 'CARD' | 'FACE' | 'OTHER'>;
export type BackgroundColor = OpenEnum<
  | 'COLOR010'
  | 'COLOR020'
  | 'COLOR030'
  | 'COLOR040'
  | 'COLOR050'
  | 'COLOR060'
  | 'COLOR070'
  | 'COLOR080'
  | 'COLOR090'
  | 'COLOR100'
>;

export interface FavorStockUseRuleInput {
  max_coupons: number;
  max_amount: Fen;
  max_amount_by_day?: Fen;
  max_coupons_per_user: number;
  natural_person_limit: boolean;
  prevent_api_abuse: boolean;
}

export interface FavorPatternInfo {
  description: string;
  merchant_logo?: string;
  merchant_name?: string;
  background_color?: BackgroundColor;
  coupon_image?: string;
  jump_target?: OpenEnum<'PAYMENT_CODE' | 'MINI_PROGRAM' | 'DEFAULT_PAGE'>;
  mini_program_appid?: string;
  mini_program_path?: string;
}

export interface FavorCouponAvailableTime {
  available_begin_time?: Rfc3339;
  available_end_time?: Rfc3339;
  fix_available_time?: { available_week_day?: number[]; begin_time?: number; end_time?: number };
  second_day_available?: boolean;
  available_time_after_receive?: number;
}

export interface FavorCouponUseRule {
  coupon_available_time?: FavorCouponAvailableTime;
  fixed_normal_coupon?: { coupon_amount: Fen; transaction_minimum: Fen };
  goods_tag?: string[];
  limit_pay?: string[];
  limit_card?: { name?: string; bin?: string[] };
  trade_type?: FavorTradeType[];
  combine_use?: boolean;
  available_items?: string[];
  unavailable_items?: string[];
  available_merchants: string[];
}

/** F1 POST /v3/marketing/favor/coupon-stocks */
export interface FavorStockCreateRequest {
  stock_name: string;
  comment?: string;
  belong_merchant: string;
  available_begin_time: Rfc3339;
  available_end_time: Rfc3339;
  stock_use_rule: FavorStockUseRuleInput;
  pattern_info?: FavorPatternInfo;
  coupon_use_rule: FavorCouponUseRule;
  no_cash: boolean;
  stock_type: OpenEnum<'NORMAL'>;
  out_request_no: string;
  ext_info?: string;
}
export interface FavorStockCreateResponse {
  stock_id: string;
  create_time: Rfc3339;
}

/** F2–F5 body. */
export interface FavorStockCreatorBody {
  stock_creator_mchid: string;
}
export interface FavorStockStartResponse {
  start_time: Rfc3339;
  stock_id: string;
}
export interface FavorStockPauseResponse {
  pause_time: Rfc3339;
  stock_id: string;
}
export interface FavorStockRestartResponse {
  restart_time: Rfc3339;
  stock_id: string;
}
export interface FavorStockStopResponse {
  stop_time: Rfc3339;
  stock_id: string;
}

export interface FavorCutToMessage {
  single_price_max: Fen;
  cut_to_price: Fen;
}

/** The stock object (F6/F7). */
export interface FavorStock {
  stock_id: string;
  stock_creator_mchid: string;
  stock_name: string;
  status: FavorStockStatus;
  create_time: Rfc3339;
  description: string;
  stock_use_rule?: {
    max_coupons?: number;
    max_amount?: Fen;
    max_amount_by_day?: Fen;
    fixed_normal_coupon?: { coupon_amount: Fen; transaction_minimum: Fen } | null;
    max_coupons_per_user?: number;
    coupon_type?: FavorCouponType;
    goods_tag?: string[] | null;
    trade_type?: FavorTradeType[] | null;
    combine_use?: boolean;
  } | null;
  available_begin_time: Rfc3339;
  available_end_time: Rfc3339;
  distributed_coupons: number;
  no_cash: boolean | null;
  start_time?: Rfc3339;
  stop_time?: Rfc3339;
  cut_to_message?: FavorCutToMessage | null;
  singleitem: boolean | null;
  stock_type: FavorStockType;
  card_id?: string;
  business_type?: OpenEnum<'MULTIUSE'>;
}

/** F6 query. */
export interface FavorStockListQuery {
  offset: number;
  limit: number;
  stock_creator_mchid: string;
  create_start_time?: Rfc3339;
  create_end_time?: Rfc3339;
  status?: FavorStockStatus;
}
export interface FavorPage<T> {
  total_count: number;
  data?: T[];
  limit: number;
  offset: number;
}

/** F8 POST /v3/marketing/favor/users/{openid}/coupons */
export interface FavorCouponSendRequest {
  stock_id: string;
  out_request_no: string;
  appid: string;
  stock_creator_mchid: string;
  coupon_value?: Fen;
  coupon_minimum?: Fen;
}
export interface FavorCouponSendResponse {
  coupon_id: string;
}

export interface FavorConsumeInformation {
  consume_time: Rfc3339;
  consume_mchid: string;
  transaction_id: string;
  consume_amount?: Fen;
  goods_detail?: { goods_id: string; quantity: number; price: Fen; discount_amount: Fen }[];
}

/** F9/F10 coupon object. */
export interface FavorCoupon {
  stock_creator_mchid: string;
  stock_id: string;
  coupon_id: string;
  cut_to_message?: FavorCutToMessage | null;
  coupon_name: string;
  status: FavorCouponStatus;
  description: string;
  create_time: Rfc3339;
  coupon_type: FavorCouponType;
  no_cash: boolean | null;
  available_begin_time: Rfc3339;
  available_end_time: Rfc3339;
  singleitem: boolean | null;
  normal_coupon_information?: { coupon_amount: Fen; transaction_minimum: Fen } | null;
  consume_information?: FavorConsumeInformation | null;
  available_balance?: number;
  business_type?: OpenEnum<'MULTIUSE'>;
}

/** F10 query. */
export interface FavorUserCouponsQuery {
  appid: string;
  stock_id?: string;
  status?: OpenEnum<'SENDED' | 'USED'>;
  creator_mchid?: string;
  sender_mchid?: string;
  available_mchid?: string;
  offset?: number;
  limit?: number;
  business_type?: OpenEnum<'MULTIUSE'>;
}

/** F11/F12 */
export interface FavorPagingQuery {
  offset: number;
  limit: number;
  stock_creator_mchid: string;
}
export interface FavorStringPage {
  total_count: number;
  data?: string[];
  offset: number;
  limit: number;
  stock_id: string;
}

/** F13/F14 */
export interface FavorFlowResponse {
  url: string;
  hash_value: string;
  hash_type: OpenEnum<'SHA1'>;
}

/** F18 */
export interface FavorCallbacksRequest {
  mchid: string;
  notify_url: string;
  switch?: boolean;
}
export interface FavorCallbacksResponse {
  update_time: Rfc3339;
  notify_url: string;
}
