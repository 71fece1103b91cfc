import type { Clock } from './clock.js';
import type { Db } from './db/database.js';
import type { Hooks } from './hooks.js';
import type { PlatformKeys } from './keys/platform-keys.js';
import type { RateLimiter, RateLimitRule } from './rate-limit/rate-limiter.js';
import type { LocalTls } from './tls/local-tls.js';

/**
 * Everything a feature needs, built once by createPlatform and handed to every feature. Two members are
 * declared where their types live, so that this file imports nothing above it: `platformClock`
 * (features/clock/platform-clock.ts) and `observers` (http/observe.ts).
 */
export interface PlatformContext {
  db: Db;
  engine: 'sqlite' | 'postgres';
  /** The platform (business) clock: real time plus the test clock's offset. Transport checks use real time. */
  clock: Clock;
  keys: PlatformKeys;
  /** The local CA: HTTPS server certificate and merchant API (mutual-TLS client) certificates. */
  tls: LocalTls;
  rateLimiter: RateLimiter;
  rateLimits: Record<string, RateLimitRule>;
  hooks: Hooks;
  dataDir: string;
  /** Allowed request clock skew in seconds (300 on the real service). */
  maxSkewSeconds: number;
  /** Register an unknown openid under the appid of its first request (a sandbox convenience). */
  autoRegisterUsers: boolean;
  /** Honour a request's `Wxcoupon-Fault` header (off unless the platform is started with it). */
  allowFaultHeaders: boolean;
  /** Services that other features call (e.g. `favor.markUsed`). Filled in by features at setup. */
  services: PlatformServices;
  log: (line: string) => void;
  /** The request journal's retention, or undefined when the platform runs without one. */
  journal: JournalSettings | undefined;
  /** `closing` turns true when close() begins: readiness then answers 503 while requests drain. */
  lifecycle: { closing: boolean };
}

/** The request journal's retention (the journal feature keeps to it). */
export interface JournalSettings {
  /** Rows kept, newest first; older ones are deleted. */
  maxRows: number;
  /** Rows older than this (milliseconds) are deleted. */
  maxAgeMs: number;
}

// biome-ignore lint/suspicious/noEmptyInterface: features add their services by declaration merging
export interface PlatformServices {}
