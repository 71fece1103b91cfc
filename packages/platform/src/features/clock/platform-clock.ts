import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { addToOffset, ensureClockRow, readClock, replaceOffset } from './clock.repository.js';

/**
 * How often an instance re-reads the offset. A change made through an instance holds there at once;
 * the other instances on the database learn it at their next read, within this interval (or at once
 * when one of them is asked for the clock through the admin API).
 */
export const CLOCK_REFRESH_MS = 1000;

/**
 * The platform's business clock: real time plus an offset kept in the database. Every business rule
 * reads it (stock windows, Beijing-day budgets, coupon validity, the times in answers and
 * notifications, the notification schedule); what guards the transport (the signature window, the
 * `Wechatpay-Timestamp` of answers and notifications, rate-limit windows) reads real time, so a
 * client's SDK keeps working however far the clock is moved.
 *
 * Reading it is synchronous and costs no query: the offset is cached and refreshed in the background.
 */
export class PlatformClock {
  private offsetMs = 0;
  private version = -1;
  private readonly listeners: Array<(movedBy: number) => void> = [];

  private constructor(
    private readonly db: Db,
    /** Real time (injectable so tests can start from a chosen moment). */
    readonly real: Clock,
  ) {}

  static async load(db: Db, real: Clock): Promise<PlatformClock> {
    const clock = new PlatformClock(db, real);
    await ensureClockRow(db, real());
    await clock.refresh();
    return clock;
  }

  /** Milliseconds since the epoch on the platform clock. */
  readonly now: Clock = () => this.real() + this.offsetMs;

  offset(): number {
    return this.offsetMs;
  }

  /** Called with the distance moved (negative when moved back) whenever a change is seen. */
  onChange(listener: (movedBy: number) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the stored offset; tells the listeners when it changed. */
  async refresh(): Promise<void> {
    const stored = await readClock(this.db);
    // Versions only grow: a slower read that returns after a newer one must not undo it.
    if (stored.version <= this.version) return;
    const movedBy = stored.offsetMs - this.offsetMs;
    this.offsetMs = stored.offsetMs;
    this.version = stored.version;
    if (movedBy !== 0) for (const l of this.listeners) l(movedBy);
  }

  async advance(byMs: number): Promise<void> {
    await addToOffset(this.db, byMs, this.real());
    await this.refresh();
  }

  /** Moves the clock to `ms` (forwards or backwards); from there it runs on with real time. */
  async set(ms: number): Promise<void> {
    await replaceOffset(this.db, ms - this.real(), this.real());
    await this.refresh();
  }

  /** Back to real time. */
  async resume(): Promise<void> {
    await replaceOffset(this.db, 0, this.real());
    await this.refresh();
  }

  /** Re-reads the offset every {@link CLOCK_REFRESH_MS}; the returned function stops it (after a read in flight). */
  startRefreshing(log: (line: string) => void): () => Promise<void> {
    let failing = false;
    let reading: Promise<void> | undefined;
    const tick = () => {
      reading ??= this.refresh()
        .then(
          () => {
            failing = false;
          },
          (err: unknown) => {
            // Keep the last known offset; say so once per outage, not once a second.
            if (!failing) log(`platform: clock: cannot read the offset: ${err instanceof Error ? err.message : err}`);
            failing = true;
          },
        )
        .finally(() => {
          reading = undefined;
        });
    };
    const timer = setInterval(tick, CLOCK_REFRESH_MS);
    timer.unref?.();
    return async () => {
      clearInterval(timer);
      await reading;
    };
  }
}

declare module '../../context.js' {
  interface PlatformContext {
    /** The offset behind `clock`: shared through the database, moved by the admin API. */
    platformClock: PlatformClock;
  }
}
