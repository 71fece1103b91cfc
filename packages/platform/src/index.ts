export { type Clock, rfc3339 } from './clock.js';
export type { PlatformContext, PlatformServices } from './context.js';
export type { Database } from './db/schema.js';
export { ApiError, type ErrorDetail } from './errors/api-error.js';
export { PlatformStartError } from './errors/platform-start-error.js';
export { ERROR_CODES, type ErrorCode } from './errors/registry.js';
export type { UseCouponInput } from './features/favor/favor.coupons.js';
export type { FavorService } from './features/favor/favor.service.js';
export type { Feature } from './features/feature.js';
export type { MerchantService } from './features/merchants/merchants.service.js';
export type { PlatformEvents } from './hooks.js';
export { openFileLimit } from './http/fd-limit.js';
export { tlsBaseUrlFor } from './http/listen-tls.js';
export type { PlatformOptions } from './options.js';
export {
  type CloseOptions,
  type CloseResult,
  createPlatform,
  DEFAULT_DRAIN_TIMEOUT_MS,
  type ListenOptions,
  type Platform,
} from './platform.js';
export { credentialsFile, type DemoCredentials, readCredentials } from './provision/credentials.js';
export { RATE_LIMIT_APIS } from './rate-limit/limits.js';
export type { RateLimiter, RateLimitRule } from './rate-limit/rate-limiter.js';
