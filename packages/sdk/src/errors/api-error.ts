import type { ApiErrorDetail } from './api-error-detail.js';
import { explainApiError } from './explain.js';
import { WechatpayError } from './wechatpay-error.js';

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
    // SIGN_ERROR nests its issue one level down ({detail: {issue}}), as the real service does.
    const issue = init.detail?.issue ?? nestedIssue(init.detail);
    const where = init.detail?.field ? ` (field ${init.detail.field}${issue ? `: ${issue}` : ''})` : '';
    // The message names the field itself when the detail has one, so the explanation need not.
    const explanation = explainApiError(init.code, init.message, where ? undefined : init.detail);
    super(
      `${init.method} ${init.url} failed with HTTP ${init.status} ${init.code}: ${init.message}` +
        `${explanation ? ` — ${explanation}` : ''}${where}` +
        (init.requestId ? ` [Request-ID ${init.requestId}]` : '') +
        signInformation(init.detail),
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

function nestedIssue(detail: ApiErrorDetail | undefined): string | undefined {
  const nested = detail?.['detail'];
  const issue = typeof nested === 'object' && nested !== null ? (nested as { issue?: unknown }).issue : undefined;
  return typeof issue === 'string' ? issue : undefined;
}

/**
 * A 401's `detail.sign_information`, readable: the message the server built from the request it
 * received (truncated by the server), one line per part, to set beside the message that was signed.
 * Empty when the answer has none.
 */
function signInformation(detail: ApiErrorDetail | undefined): string {
  const info = detail?.['sign_information'];
  if (typeof info !== 'object' || info === null) return '';
  const { method, url, sign_message_length: length, truncated_sign_message: message } = info as Record<string, unknown>;
  if (typeof message !== 'string') return '';
  const parts = ['method', 'url', 'timestamp', 'nonce', 'body'];
  const lines = message.replace(/\n$/, '').split('\n');
  const shown = lines.map((line, i) => `  ${(parts[i] ?? '').padEnd(9)} ${JSON.stringify(line)}`);
  return (
    `\nThe server built the signed message from ${String(method)} ${String(url)} as received` +
    `${typeof length === 'number' ? ` (${length} bytes; shown truncated)` : ''}; compare it with the one you signed:\n` +
    shown.join('\n')
  );
}
