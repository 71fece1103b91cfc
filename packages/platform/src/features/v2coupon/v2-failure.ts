import { V2_ERROR_CODES, type V2ErrorCode } from './v2coupon.codes.js';

/**
 * A v2 failure, answered with HTTP 200 like everything in APIv2.
 *  - `return`: the communication layer (`return_code=FAIL`): the caller could not be authenticated
 *    (unreadable XML, unknown merchant, certificate, signature), so the answer cannot be signed.
 *  - `result`: the business layer (`return_code=SUCCESS, result_code=FAIL`), signed with the
 *    merchant's APIv2 key.
 */
export class V2Failure extends Error {
  override name = 'V2Failure';
  readonly code: V2ErrorCode;
  readonly layer: 'return' | 'result';
  /** The request body was left unread: the connection cannot carry another request. */
  readonly closeConnection: boolean;

  constructor(code: V2ErrorCode, layer: 'return' | 'result', message?: string, closeConnection = false) {
    super(message ?? V2_ERROR_CODES[code]);
    this.code = code;
    this.layer = layer;
    this.closeConnection = closeConnection;
  }
}
