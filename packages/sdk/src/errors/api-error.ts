import { explainApiError } from './explain.js';
import { WechatpayError } from './wechatpay-error.js';

/** The `detail` object of an APIv3 error body; free-form, with these keys usually present. */
export interface ApiErrorDetail {
  field?: string;
  value?: unknown;
  issue?: string;
  location?: string;
  [key: string]: unknown;
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  detail?: ApiErrorDetail | undefined;
  requestId?: string | undefined;
  headers: Record<string, string>;
  method: string;
  url: string;
}

/**
 * WeChat Pay answered with an APIv3 error (4xx/5xx). Branch on `status` first, then on `code`:
 * `message` is for people and varies with `Accept-Language`. `serverMessage` is the answer's own
 * message; `explanation` says in English what it means (derived here from code, message and detail,
 * since the service answers in Chinese by default), and `message` carries both.
 */
export class ApiError extends WechatpayError {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly detail: ApiErrorDetail | undefined;
  readonly requestId: string | undefined;
  readonly headers: Record<string, string>;
  readonly method: string;
  readonly url: string;
  readonly serverMessage: string;
  readonly explanation: string | undefined;

  constructor(init: ApiErrorInit) {
    const where = init.detail?.field
      ? ` (field ${init.detail.field}${init.detail.issue ? `: ${init.detail.issue}` : ''})`
      : '';
    const explanation = explainApiError(init.code, init.message, init.detail);
    super(
      `${init.method} ${init.url} failed with HTTP ${init.status} ${init.code}: ${init.message}` +
        `${explanation ? ` — ${explanation}` : ''}${where}` +
        (init.requestId ? ` [Request-ID ${init.requestId}]` : ''),
    );
    this.serverMessage = init.message;
    this.explanation = explanation;
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.method = init.method;
    this.url = init.url;
  }
}
