import type { Sender, SendOutcome, SendRequest } from '../engine/sender.js';
import type { SenderContext } from './client.js';
import { describeError } from './describe-error.js';
import { SENDER_FIELDS } from './fields.js';
import { unexpectedAnswer } from './outcomes.js';

/**
 * v2 代金券: POST /mmpaymkttransfers/send_coupon (XML, mutual TLS; §2.2). The per-openid `ret_code` is checked too:
 * the documented samples always agree with result_code, but a batch-shaped answer could in principle disagree.
 */
export class V2Sender implements Sender {
  readonly api = 'v2' as const;
  readonly fields = SENDER_FIELDS.v2;
  private readonly c: SenderContext;

  constructor(context: SenderContext) {
    this.c = context;
  }

  async send(r: SendRequest): Promise<SendOutcome> {
    const xml = {
      coupon_stock_id: this.c.stockId,
      openid_count: 1,
      partner_trade_no: r.requestNo,
      openid: r.openid,
      appid: this.c.appid,
      mch_id: this.c.mchid,
    };
    try {
      const res = await this.c.client.request('POST /v2/mmpaymkttransfers/send_coupon', { body: xml, security: true });
      const data = res.data ?? {};
      const ret = data['ret_code'];
      if (ret !== undefined && ret !== '' && ret !== 'SUCCESS') {
        return { ok: false, failure: { kind: 'v2', code: ret, message: data['ret_msg'] ?? ret } };
      }
      const id = data['coupon_id'];
      return id ? { ok: true, coupon: id } : unexpectedAnswer('coupon_id', data);
    } catch (error) {
      return { ok: false, failure: describeError(error) };
    }
  }
}
