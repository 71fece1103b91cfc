import { WechatpayError } from './wechatpay-error.js';

/** A v2 body that is not a flat, safe `<xml>` document (DTDs and entities are refused outright). */
export class XmlFormatError extends WechatpayError {
  override name = 'XmlFormatError';
}
