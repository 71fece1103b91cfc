export { ApiError, type ApiErrorDetail } from './api-error.js';
export { ConfigError } from './config-error.js';
export { NetworkError } from './network-error.js';
export { RequestError } from './request-error.js';
export { TimeoutError } from './timeout-error.js';
export { V2Error } from './v2-error.js';
export { VerificationError, type VerificationFailure } from './verification-error.js';
export { WechatpayError } from './wechatpay-error.js';
export { XmlFormatError } from './xml-format-error.js';
