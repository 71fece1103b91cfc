import { WechatpayError } from './wechatpay-error.js';

/** The request never got an HTTP answer: DNS, refused connection, reset socket, TLS handshake. */
export class NetworkError extends WechatpayError {
  override name = 'NetworkError';
  readonly method: string;
  readonly url: string;

  constructor(method: string, url: string, cause: unknown) {
    const detail =
      cause instanceof Error
        ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}`
        : String(cause);
    super(`${method} ${url} failed before a response arrived (${detail})`, { cause });
    this.method = method;
    this.url = url;
  }
}
