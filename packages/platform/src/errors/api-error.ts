import { ERROR_CODES, type ErrorCode } from './registry.js';

/** `detail` of a WeChat error body: which field, what value, why, and where (body, query, uri_template). */
export interface ErrorDetail {
  field?: string;
  value?: unknown;
  issue?: string;
  location?: string;
  /** SIGN_ERROR: what the platform built from the request it received (coupon-api.md §8.7). */
  sign_information?: {
    method: string;
    url: string;
    sign_message_length: number;
    truncated_sign_message: string;
  };
  /** SIGN_ERROR: the specific issue, nested as the real service nests it. */
  detail?: { issue: string };
}

/**
 * A business or protocol failure to answer in WeChat's format `{code, message, detail?}`. Thrown by
 * services and routes; the status comes from the registry so one code never has two statuses.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: ErrorDetail | undefined;

  constructor(code: ErrorCode, message?: string, detail?: ErrorDetail) {
    super(message ?? ERROR_CODES[code].message);
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.detail = detail;
  }

  toJSON(): { code: string; message: string; detail?: ErrorDetail } {
    return this.detail
      ? { code: this.code, message: this.message, detail: this.detail }
      : { code: this.code, message: this.message };
  }
}
