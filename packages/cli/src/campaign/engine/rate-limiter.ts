/** Clock and timer, injectable so tests can drive time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiterOptions {
  /** Target requests per second. */
  qps: number;
  /** Tokens that may accumulate while idle; small, so a pause is not followed by a burst above the limit. */
  burst?: number;
  /** Rate after a 429, as a fraction of the rate at that moment. */
  backoffFactor?: number;
  /** Seconds to climb from a cut back to the target, linearly. */
  recoverySeconds?: number;
  /** Lowest rate a run of 429s can push it to. */
  minQps?: number;
  clock?: Clock;
}

/**
 * A token bucket whose rate drops multiplicatively when the server answers 429 and climbs back linearly
 * (additive increase, multiplicative decrease), so a campaign settles just under whatever the server will take.
 * Waiters are served in arrival order from a single timer.
 */
export class RateLimiter {
  readonly target: number;
  private readonly burst: number;
  private readonly backoffFactor: number;
  private readonly recoveryMs: number;
  private readonly minQps: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;
  private cutRate: number;
  private cutAt = Number.NEGATIVE_INFINITY;
  private readonly waiters: (() => void)[] = [];
  private draining = false;
  throttles = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.qps > 0)) throw new RangeError('qps must be a positive number');
    this.target = options.qps;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.qps / 20));
    this.backoffFactor = options.backoffFactor ?? 0.5;
    this.recoveryMs = (options.recoverySeconds ?? 10) * 1000;
    this.minQps = Math.min(options.minQps ?? 1, options.qps);
    this.clock = options.clock ?? systemClock;
    this.tokens = 1;
    this.last = this.clock.now();
    this.cutRate = this.target;
  }

  /** The rate in force now: the target, or on its way back to it after a 429. */
  rate(now = this.clock.now()): number {
    if (this.cutRate >= this.target) return this.target;
    const climbed = ((now - this.cutAt) / this.recoveryMs) * this.target;
    return Math.min(this.target, this.cutRate + climbed);
  }

  /** Called on each 429. Answers that were already in flight when the first arrived do not cut again. */
  throttled(): void {
    const now = this.clock.now();
    const current = this.rate(now);
    if (now - this.cutAt < 1000 / Math.max(current, 1) + 250) return;
    this.throttles++;
    this.refill(now);
    this.cutRate = Math.max(this.minQps, current * this.backoffFactor);
    this.cutAt = now;
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (!this.draining) void this.drain();
    });
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate(now));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiters.length > 0) {
        this.refill(this.clock.now());
        while (this.tokens >= 1 && this.waiters.length > 0) {
          this.tokens -= 1;
          this.waiters.shift()!();
        }
        if (this.waiters.length === 0) break;
        const wait = ((1 - this.tokens) / this.rate()) * 1000;
        await this.clock.sleep(Math.max(1, wait));
      }
    } finally {
      this.draining = false;
    }
  }
}
