import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { RateLimiter } from './rate-limiter.js';

declare module '../db/schema.js' {
  interface Database {
    rate_limit_windows: { limit_key: string; window_start: number; hits: number };
  }
}

/**
 * Windows that started longer ago than this are deleted (the longest documented window is one minute),
 * or than twice the longest window configured or asked for, if that is longer: a configured hour's window
 * must keep its count for the whole hour, also when an instance that has not yet served that API sweeps.
 */
const KEEP_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 60_000;
/** An instance claims calls from the shared window in chunks of limit / LEASE_DIVISOR (at least 1). */
const LEASE_DIVISOR = 50;

/**
 * Counts `chunk` calls in the window only while the whole chunk fits under the limit; returns a row
 * only then. With chunk 1 this is "count the call while the window has room".
 */
const claim = prepared<{ key: string; start: number; chunk: number; limit: number }>((db, p) =>
  db
    .insertInto('rate_limit_windows')
    .values({ limit_key: p('key'), window_start: p('start'), hits: p('chunk') })
    .onConflict((oc) =>
      oc
        .columns(['limit_key', 'window_start'])
        .doUpdateSet({ hits: sql`rate_limit_windows.hits + ${p('chunk')}` })
        .where(sql<boolean>`rate_limit_windows.hits + ${p('chunk')} <= ${p('limit')}`),
    )
    .returning('hits'),
);

/**
 * Fixed windows counted in the database, so that every instance on it draws from the same allowance
 * (a merchant calling three instances still gets 500 sends per second, not 1,500).
 *
 * Each instance claims its calls in chunks of limit / 50 and hands them out from memory until the
 * chunk is spent or the window ends: with the 500/s send limit that is one database write per ten
 * calls instead of one per call. The sum over instances never exceeds the limit; what a chunk leaves
 * unused when its window ends (at most limit / 50 calls per instance) is simply not granted. When a
 * whole chunk no longer fits, calls are claimed one at a time, so a single instance still gets its
 * full allowance. Limits under 100 per window are counted call by call, exactly.
 */
export class DatabaseRateLimiter implements RateLimiter {
  private nextSweep = 0;
  /** Per key: calls claimed for the current window and not yet handed out; `full` once none are left. */
  private readonly leases = new Map<string, { start: number; left: number; full: boolean }>();
  /** Per key: the claim in progress, which concurrent calls wait for instead of claiming their own. */
  private readonly claims = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** The longest window of the platform's rate limits (rows of every window are kept this long, twice). */
    private longestWindowMs = 0,
  ) {}

  async tryAcquire(key: string, limit: number, windowMs: number): Promise<boolean> {
    const now = this.clock();
    if (windowMs > this.longestWindowMs) this.longestWindowMs = windowMs;
    if (now >= this.nextSweep) {
      this.nextSweep = now + SWEEP_EVERY_MS;
      for (const [k, lease] of this.leases) if (lease.start < now - windowMs) this.leases.delete(k);
      await this.db
        .deleteFrom('rate_limit_windows')
        .where('window_start', '<', now - Math.max(KEEP_MS, 2 * this.longestWindowMs))
        .execute();
    }
    if (limit <= 0) return false;
    for (;;) {
      const t = this.clock();
      const start = t - (t % windowMs);
      const lease = this.leases.get(key);
      if (lease && lease.start === start) {
        if (lease.left > 0) {
          lease.left--;
          return true;
        }
        if (lease.full) return false;
      }
      const inFlight = this.claims.get(key);
      if (inFlight) {
        await inFlight.catch(() => {});
        continue;
      }
      const claiming = this.claim(key, start, limit);
      this.claims.set(key, claiming);
      try {
        await claiming;
      } finally {
        this.claims.delete(key);
      }
    }
  }

  /** Claims a chunk for the window (or one call when a chunk no longer fits) into the key's lease. */
  private async claim(key: string, start: number, limit: number): Promise<void> {
    const chunk = Math.max(1, Math.floor(limit / LEASE_DIVISOR));
    let granted = 0;
    if (chunk > 1 && (await claim(this.db, { key, start, chunk, limit })).rows.length > 0) granted = chunk;
    else if ((await claim(this.db, { key, start, chunk: 1, limit })).rows.length > 0) granted = 1;
    this.leases.set(key, { start, left: granted, full: granted === 0 });
  }
}
