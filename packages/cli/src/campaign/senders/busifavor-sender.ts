import type { BusifavorCouponSendRequest, BusifavorCouponSendResponse, ProductCouponSendResponse } from '@wxcoupon/sdk';
import type { Sender, SendOutcome, SendRequest } from '../engine/sender.js';
import type { SenderContext } from './client.js';
import { describeError } from './describe-error.js';
import { SENDER_FIELDS } from './fields.js';
import { unexpectedAnswer } from './outcomes.js';

/** Reads the coupon code from either documented answer shape (flat, or wrapped in send_coupon_result: §7 #10). */
export function couponCodeOf(
  data: BusifavorCouponSendResponse | ProductCouponSendResponse | undefined,
): string | undefined {
  // Typed, but read defensively: an answer missing its code is reported, not trusted.
  const flat: { coupon_code?: unknown; send_coupon_result?: { coupon_code?: unknown } } | undefined = data;
  const code = flat?.coupon_code ?? flat?.send_coupon_result?.coupon_code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** 商家券: POST /v3/marketing/busifavor/coupons/send (§4.9). A MERCHANT_API stock needs a coupon_code column. */
export class BusifavorSender implements Sender {
  readonly api = 'busifavor' as const;
  readonly fields = SENDER_FIELDS.busifavor;
  private readonly c: SenderContext;

  constructor(context: SenderContext) {
    this.c = context;
  }

  async send(r: SendRequest): Promise<SendOutcome> {
    const json: BusifavorCouponSendRequest = {
      openid: r.openid,
      appid: this.c.appid,
      stock_id: this.c.stockId,
      out_request_no: r.requestNo,
    };
    if (r.fields['coupon_code'] !== undefined) json['coupon_code'] = r.fields['coupon_code'];
    try {
      const res = await this.c.client.request('POST /v3/marketing/busifavor/coupons/send', { body: json });
      const code = couponCodeOf(res.data);
      return code ? { ok: true, coupon: code } : unexpectedAnswer('coupon_code', res.data);
    } catch (error) {
      return { ok: false, failure: describeError(error) };
    }
  }
}
