import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { RateLimiter } from './rate-limiter.js';

declare module '../db/schema.js' {
  interface Database {
    rate_limit_windows: { limit_key: string; window_start: number; hits: number };
  }
}

/** Windows older than this are deleted; the longest documented window is one minute. */
const KEEP_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * Fixed windows counted in the database, so that every instance on it draws from the same allowance
 * (a merchant calling three instances still gets 500 sends per second, not 1,500). One statement per
 * call: an upsert that counts the call only while the window has room, and returns a row only then.
 */
export class DatabaseRateLimiter implements RateLimiter {
  private nextSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async tryAcquire(key: string, limit: number, windowMs: number): Promise<boolean> {
    const now = this.clock();
    const start = now - (now % windowMs);
    if (now >= this.nextSweep) {
      this.nextSweep = now + SWEEP_EVERY_MS;
      await this.db
        .deleteFrom('rate_limit_windows')
        .where('window_start', '<', now - KEEP_MS)
        .execute();
    }
    if (limit <= 0) return false;
    const row = await this.db
      .insertInto('rate_limit_windows')
      .values({ limit_key: key, window_start: start, hits: 1 })
      .onConflict((oc) =>
        oc
          .columns(['limit_key', 'window_start'])
          .doUpdateSet({ hits: sql`rate_limit_windows.hits + 1` })
          .where('rate_limit_windows.hits', '<', limit),
      )
      .returning('hits')
      .executeTakeFirst();
    return row !== undefined;
  }
}
