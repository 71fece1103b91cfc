import { WechatpayError } from './wechatpay-error.js';

/** The call's own options are unusable (a missing path variable, a body of the wrong kind); nothing was sent. */
export class RequestError extends WechatpayError {
  override name = 'RequestError';
}
