export { type MiddlewareHandle, type RequestOptions, Wechatpay } from './client.js';
export type { MerchantCertificate, WechatpayConfig } from './config.js';
export type { FetchLike } from './core/fetch-transport.js';
export type {
  IncomingResponse,
  Middleware,
  Next,
  OutgoingRequest,
  Transport,
  WechatpayResponse,
} from './core/types.js';
export { fillTemplate, segmentOf } from './core/url.js';
export * from './crypto/index.js';
export * from './errors/index.js';
export { busifavorSendResult } from './helpers/busifavor-send.js';
export {
  decryptCertificates,
  type EncryptedCertificateEntry,
  type PlatformCertificate,
} from './helpers/certificates.js';
export {
  buildTestNotification,
  type CouponSendEvent,
  type CouponUseEvent,
  type EncryptedResource,
  type GenericEvent,
  isCouponSendEvent,
  isCouponUseEvent,
  type NotificationEnvelope,
  type NotificationEvent,
  type NotificationInput,
  type NotificationOptions,
  parseNotification,
  type TestNotificationOptions,
} from './helpers/notification.js';
export { decryptSensitive, encryptSensitive } from './helpers/sensitive.js';
export {
  MAX_CLOCK_SKEW,
  normalizeHeaders,
  type SignedMessageOptions,
  verifySignedMessage,
} from './helpers/signed-message.js';
export { IDEMPOTENCY_KEYS, type RetryOptions, retry } from './middleware/retry.js';
export { type V2XmlOptions, v2Xml } from './middleware/v2-xml.js';
export { type V3SignerOptions, v3Signer } from './middleware/v3-signer.js';
export { type V3VerifierOptions, v3Verifier } from './middleware/v3-verifier.js';
export type * from './types/busifavor.js';
export type * from './types/chain.js';
export type * from './types/common.js';
export type * from './types/endpoints.js';
export { ENDPOINT_KEYS } from './types/endpoints.js';
export type * from './types/favor.js';
export type * from './types/notifications.js';
export type * from './types/request.js';
export type * from './types/v2coupon.js';
export { buildXml, parseXml } from './xml.js';
