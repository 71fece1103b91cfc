import type { Clock } from '../clock.js';
import type { RateLimiter } from './rate-limiter.js';

/** Fixed windows counted in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  tryAcquire(key: string, limit: number, windowMs: number): boolean {
    const now = this.clock();
    const start = now - (now % windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size > 10_000) this.sweep(now);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) return false;
    w.count++;
    return true;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start > 60_000) this.windows.delete(k);
  }
}
