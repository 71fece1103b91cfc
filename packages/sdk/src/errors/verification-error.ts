import { WechatpayError } from './wechatpay-error.js';

/** Why a signed response or notification was refused; stable values for code to branch on. */
export type VerificationFailure =
  | 'MISSING_HEADER'
  | 'BAD_TIMESTAMP'
  | 'CLOCK_SKEW'
  | 'UNKNOWN_SERIAL'
  | 'BAD_SIGNATURE'
  | 'SIGNATURE_PROBE'
  | 'DECRYPT_FAILED'
  | 'BAD_BODY';

export interface VerificationErrorInit {
  reason: VerificationFailure;
  message: string;
  header?: string | undefined;
  serial?: string | undefined;
  requestId?: string | undefined;
  cause?: unknown;
}

/**
 * A response or notification that does not prove it came from WeChat Pay. The message names the
 * header, the serial and the likely cause, because these failures are nearly always configuration.
 */
export class VerificationError extends WechatpayError {
  override name = 'VerificationError';
  readonly reason: VerificationFailure;
  readonly header: string | undefined;
  readonly serial: string | undefined;
  readonly requestId: string | undefined;

  constructor(init: VerificationErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = init.reason;
    this.header = init.header;
    this.serial = init.serial;
    this.requestId = init.requestId;
  }
}
