import type { Clock } from './clock.js';
import type { AccessLogFormat } from './http/access-log.js';
import type { RateLimitSetting } from './rate-limit/limits.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';

export interface PlatformOptions {
  /** Where the database file, admin token and demo credentials live. Created if missing. */
  dataDir: string;
  /** `sqlite:<path>` (relative to dataDir) or `postgres://…`; default `sqlite:platform.sqlite`. */
  database?: string;
  /**
   * The URL written to credentials.json before `listen()` is called (listen() replaces it with the
   * real one). Default `http://127.0.0.1:8080`.
   */
  baseURL?: string;
  /** Per-merchant API limits, e.g. `{ 'favor.coupons.send': 5000 }` (calls per second). */
  rateLimits?: Record<string, RateLimitSetting>;
  /** Replace the in-memory limiter (for instance with one shared through the database). */
  rateLimiter?: RateLimiter;
  /** Allowed request clock skew in seconds; default 300 as on the real service. */
  maxSkewSeconds?: number;
  /** Register unknown openids under the appid of their first request (default true). */
  autoRegisterUsers?: boolean;
  /**
   * Honour the `Wxcoupon-Fault` request header, which names a fault for that one request (default
   * false). Headers are not signed in APIv3, so anyone who can reach the platform could use it.
   */
  allowFaultHeaders?: boolean;
  /**
   * For tests: the time the platform clock runs from (default the system time); the test clock's offset
   * (admin API `/admin/clock`) is added to it. Signatures, the request skew check, rate limits and
   * certificates always use the system time, so SDKs keep verifying.
   */
  clock?: Clock;
  /**
   * Start on a data directory that group or other users can access (default false: refused, since it
   * holds every merchant's keys). For containers whose volume keeps other users out. Files are still
   * created owner-only.
   */
  insecurePermissions?: boolean;
  /**
   * The request journal (default on, 100,000 rows, 7 days): every API request with its answer, kept
   * in the database; `false` turns it off.
   */
  journal?: false | { maxRows?: number; maxAgeMs?: number };
  /**
   * One line per request (default off): `json` (pino) or `pretty`, written to `destination` (default
   * stdout). Never a secret: no header, body or key is logged.
   */
  accessLog?: { format: AccessLogFormat; destination?: NodeJS.WritableStream };
  /** Where log lines go (default console.error); pass `() => {}` to silence. */
  log?: (line: string) => void;
}
