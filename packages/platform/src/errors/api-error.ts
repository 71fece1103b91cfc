import type { Language, Text } from './messages.js';
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
 * services and routes; the status comes from the registry so one code never has two statuses. The
 * message is a registered text (messages.ts) answered in the request's language; `message` holds its
 * zh-CN form, the default. A plain string reads the same in every language.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: ErrorDetail | undefined;
  readonly text: Text | undefined;

  constructor(code: ErrorCode, message?: string | Text, detail?: ErrorDetail) {
    const text = message === undefined ? ERROR_CODES[code].message : typeof message === 'string' ? undefined : message;
    super(typeof message === 'string' ? message : (text as Text)['zh-CN']);
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.detail = detail;
    this.text = text;
  }

  /** The message in `language`. */
  messageIn(language: Language): string {
    return this.text?.[language] ?? this.message;
  }

  toJSON(language: Language = 'zh-CN'): { code: string; message: string; detail?: ErrorDetail } {
    const message = this.messageIn(language);
    return this.detail ? { code: this.code, message, detail: this.detail } : { code: this.code, message };
  }
}
