import type { Fen, OpenEnum, Rfc3339 } from './common.js';
import type { FavorConsumeInformation, FavorCouponStatus, FavorCouponType } from './favor.js';

/** Decrypted resource of COUPON.USE (代金券核销, coupon-api.md §3.12). */
export interface FavorUseResource {
  stock_creator_mchid: string;
  stock_id: string;
  coupon_id: string;
  singleitem_discount_off?: { single_price_max: Fen };
  discount_to?: { cut_to_price: Fen; max_price: Fen };
  coupon_name: string;
  status: FavorCouponStatus;
  description: string;
  create_time: Rfc3339;
  coupon_type: FavorCouponType;
  no_cash: boolean;
  available_begin_time: Rfc3339;
  available_end_time: Rfc3339;
  singleitem: boolean;
  normal_coupon_information?: { coupon_amount: Fen; transaction_minimum: Fen };
  consume_information?: FavorConsumeInformation;
  business_type?: OpenEnum<'MULTIUSE'>;
}

export type BusifavorSendChannel = OpenEnum<
  | 'BUSICOUPON_SEND_CHANNEL_MINIAPP'
  | 'BUSICOUPON_SEND_CHANNEL_API'
  | 'BUSICOUPON_SEND_CHANNEL_PAYGIFT'
  | 'BUSICOUPON_SEND_CHANNEL_H5'
  | 'BUSICOUPON_SEND_CHANNEL_FTOF'
  | 'BUSICOUPON_SEND_CHANNEL_MEMBERCARD_ACT'
  | 'BUSICOUPON_SEND_CHANNEL_HALL'
  | 'BUSICOUPON_SEND_CHANNEL_JSAPI'
>;

/** Decrypted resource of COUPON.SEND (商家券领券, coupon-api.md §4.19). */
export interface BusifavorSendResource {
  event_type?: OpenEnum<'EVENT_TYPE_BUSICOUPON_SEND'>;
  coupon_code: string;
  stock_id: string;
  send_time: Rfc3339;
  openid?: string;
  unionid?: string;
  send_channel: BusifavorSendChannel;
  send_merchant: string;
  act_id?: string;
  attach_info?: {
    transaction_id?: string;
    act_code?: string;
    hall_code?: string;
    hall_belong_mch_id?: number;
    card_id?: string;
    code?: string;
    activity_id?: string;
    phone_number?: string;
    country_code?: string;
  };
}
