import type { ProductCouponSendRequest } from '@wxcoupon/sdk';
import type { Sender, SendOutcome, SendRequest } from '../engine/sender.js';
import { couponCodeOf } from './busifavor-sender.js';
import type { SenderContext } from './client.js';
import { describeError } from './describe-error.js';
import { SENDER_FIELDS } from './fields.js';
import { invalidField, unexpectedAnswer } from './outcomes.js';

/** 商品券: POST /v3/marketing/busifavor/product-coupons/send (§4.10). coupon_type defaults to NORMAL. */
export class ProductSender implements Sender {
  readonly api = 'product' as const;
  readonly fields = SENDER_FIELDS.product;
  private readonly c: SenderContext;

  constructor(context: SenderContext) {
    this.c = context;
  }

  async send(r: SendRequest): Promise<SendOutcome> {
    const couponType = r.fields['coupon_type'] ?? 'NORMAL';
    if (couponType !== 'NORMAL' && couponType !== 'MEMBER')
      return invalidField('coupon_type', couponType, 'NORMAL or MEMBER');
    const json: ProductCouponSendRequest = {
      openid: r.openid,
      appid: this.c.appid,
      stock_id: this.c.stockId,
      out_request_no: r.requestNo,
      coupon_type: couponType,
    };
    if (r.fields['coupon_code'] !== undefined) json['coupon_code'] = r.fields['coupon_code'];
    if (r.fields['member_card_id'] !== undefined) json['member_card_id'] = r.fields['member_card_id'];
    try {
      const res = await this.c.client.request('POST /v3/marketing/busifavor/product-coupons/send', { body: json });
      const code = couponCodeOf(res.data);
      return code ? { ok: true, coupon: code } : unexpectedAnswer('coupon_code', res.data);
    } catch (error) {
      return { ok: false, failure: describeError(error) };
    }
  }
}
