/**
 * A failed send reduced to what the campaign decides on, independent of the client library's error classes.
 * - network: the connection failed (the request may or may not have reached the server, unless it was refused:
 *   then nothing was sent);
 * - timeout: no answer in time (same uncertainty);
 * - api: a v3 error answer (HTTP status + WeChat `code`);
 * - v2: a v2 XML answer with return_code or result_code FAIL;
 * - verification: an answer arrived but its signature did not verify;
 * - config: the credentials could not be used at all;
 * - unexpected: anything else (a bug or an answer of the wrong shape).
 */
export interface Failure {
  kind: 'network' | 'timeout' | 'api' | 'v2' | 'verification' | 'config' | 'unexpected';
  status?: number;
  /** WeChat's code: v3 `code`, v2 `err_code` (or `return_msg` when return_code is FAIL). */
  code?: string;
  message: string;
  /** v2 only: the communication flag failed (signature, certificate, format), not the business call. */
  communication?: boolean;
  /** network only: the connection was refused, so the request cannot have reached the server. */
  refused?: boolean;
}

export type SkipReason = 'abnormal_user' | 'user_limit' | 'openid_mismatch';
export type StopReason =
  | 'budget_exhausted'
  | 'credentials'
  | 'stock_missing'
  | 'stock_not_running'
  | 'permission'
  /** The stock cannot be issued this way (no product info for product send, a code mode the input does not fit). */
  | 'stock_unsuitable'
  /** Recipient after recipient failed with the same parameter error: the campaign's setup, not the rows, is wrong. */
  | 'misconfigured'
  /** Transient failures kept coming after the retry budget ran dry: the server is down or unreachable. */
  | 'unavailable';

export type Verdict =
  | { action: 'retry'; throttled: boolean; uncertain: boolean; code: string; message: string }
  | { action: 'skip'; reason: SkipReason; code: string; message: string }
  | { action: 'stop'; reason: StopReason; uncertain: boolean; code: string; message: string }
  | { action: 'fail'; code: string; message: string };
