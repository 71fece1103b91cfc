import { WechatpayError } from './wechatpay-error.js';

/**
 * Thrown at construction or load time when an option is unusable: a key that does not parse,
 * a certificate that is not X.509, an APIv3 key of the wrong length. The message names the option.
 */
export class ConfigError extends WechatpayError {
  override name = 'ConfigError';
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super(`${option}: ${message}`, options);
    this.option = option;
  }
}
