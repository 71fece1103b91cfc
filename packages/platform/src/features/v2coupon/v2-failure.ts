import type { Language, Text } from '../../errors/messages.js';
import { V2_ERROR_CODES, type V2ErrorCode } from './v2coupon.errors.js';

/**
 * A v2 failure, answered with HTTP 200 like everything in APIv2.
 *  - `return`: the communication layer (`return_code=FAIL`): the caller could not be authenticated
 *    (unreadable XML, unknown merchant, certificate, signature), so the answer cannot be signed.
 *  - `result`: the business layer (`return_code=SUCCESS, result_code=FAIL`), signed with the
 *    merchant's APIv2 key.
 * The text is the code's 描述 from the registry unless given (PARAM_ERROR names its field); `message`
 * holds its zh-CN form, the default language. A plain string reads the same in every language.
 */
export class V2Failure extends Error {
  override name = 'V2Failure';
  readonly code: V2ErrorCode;
  readonly layer: 'return' | 'result';
  /** The request body was left unread: the connection cannot carry another request. */
  readonly closeConnection: boolean;
  readonly text: Text | undefined;

  constructor(code: V2ErrorCode, layer: 'return' | 'result', message?: string | Text, closeConnection = false) {
    const text = message === undefined ? V2_ERROR_CODES[code] : typeof message === 'string' ? undefined : message;
    super(typeof message === 'string' ? message : (text as Text)['zh-CN']);
    this.code = code;
    this.layer = layer;
    this.closeConnection = closeConnection;
    this.text = text;
  }

  /** The message in `language`. */
  messageIn(language: Language): string {
    return this.text?.[language] ?? this.message;
  }
}
