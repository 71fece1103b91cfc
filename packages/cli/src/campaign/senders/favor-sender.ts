import type { FavorCouponSendRequest } from '@wxcoupon/sdk';
import type { Sender, SendOutcome, SendRequest } from '../engine/sender.js';
import type { SenderContext } from './client.js';
import { describeError } from './describe-error.js';
import { SENDER_FIELDS } from './fields.js';
import { invalidField, unexpectedAnswer } from './outcomes.js';

/** 代金券: POST /v3/marketing/favor/users/{openid}/coupons (coupon-api.md §3.6), idempotent on out_request_no. */
export class FavorSender implements Sender {
  readonly api = 'favor' as const;
  readonly fields = SENDER_FIELDS.favor;
  private readonly c: SenderContext;

  constructor(context: SenderContext) {
    this.c = context;
  }

  async send(r: SendRequest): Promise<SendOutcome> {
    const json: FavorCouponSendRequest = {
      stock_id: this.c.stockId,
      out_request_no: r.requestNo,
      appid: this.c.appid,
      stock_creator_mchid: this.c.stockCreatorMchid ?? this.c.mchid,
    };
    for (const name of this.fields) {
      const value = r.fields[name];
      if (value === undefined) continue;
      if (!/^\d{1,15}$/.test(value)) return invalidField(name, value, 'an amount in fen (whole number)');
      json[name as 'coupon_value' | 'coupon_minimum'] = Number(value);
    }
    try {
      const res = await this.c.client.request('POST /v3/marketing/favor/users/{openid}/coupons', {
        params: { openid: r.openid },
        body: json,
      });
      const id = res.data?.coupon_id;
      return typeof id === 'string' && id !== '' ? { ok: true, coupon: id } : unexpectedAnswer('coupon_id', res.data);
    } catch (error) {
      return { ok: false, failure: describeError(error) };
    }
  }
}
