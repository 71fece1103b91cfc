import { WechatpayError } from './wechatpay-error.js';

/**
 * No complete response within `timeout` ms. The request may still have been processed: retry writes
 * with the same `out_request_no` so the server can recognise the repeat.
 */
export class TimeoutError extends WechatpayError {
  override name = 'TimeoutError';
  readonly method: string;
  readonly url: string;
  readonly timeout: number;

  constructor(method: string, url: string, timeout: number) {
    super(`${method} ${url} got no response within ${timeout} ms; retry writes with the same request number`);
    this.method = method;
    this.url = url;
    this.timeout = timeout;
  }
}
