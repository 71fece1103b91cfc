import type { Failure } from './failure.js';
import type { CampaignApi } from './request-key.js';

export interface SendRequest {
  openid: string;
  /** The recipient's idempotency key: out_request_no (v3) or partner_trade_no (v2). */
  requestNo: string;
  /** Per-recipient fields from the input's extra CSV columns. */
  fields: Readonly<Record<string, string>>;
}

export type SendOutcome = { ok: true; coupon: string } | { ok: false; failure: Failure };

/**
 * Issues one coupon to one person through one API. Implementations wrap the SDK client and turn its errors into a
 * `Failure`; they never retry (the campaign owns retries, rate and budget) and never throw for a failed send.
 */
export interface Sender {
  readonly api: CampaignApi;
  /** CSV columns this API accepts per recipient, besides openid. */
  readonly fields: readonly string[];
  send(request: SendRequest): Promise<SendOutcome>;
}
