export interface RetryPolicyOptions {
  /** Attempts per recipient in one run, the first included. */
  maxAttempts?: number;
  /** First backoff ceiling in ms; doubles each attempt. */
  baseMs?: number;
  /** Highest backoff ceiling in ms. */
  capMs?: number;
  /** Retries allowed before any success has earned more (the bucket's size). */
  budget?: number;
  /** Retry tokens earned by each success: 0.1 keeps retries under about a tenth of the traffic. */
  earnPerSuccess?: number;
  random?: () => number;
}

/**
 * Exponential backoff with full jitter (sleep a uniform random time up to the ceiling) and a retry budget: a
 * token bucket that retries spend and successes refill. When the server is down the budget drains and the
 * campaign stops adding load instead of multiplying it; while it is healthy, occasional failures retry freely.
 */
export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly capacity: number;
  private readonly earn: number;
  private readonly random: () => number;
  private tokens: number;
  retries = 0;
  refused = 0;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseMs = options.baseMs ?? 200;
    this.capMs = options.capMs ?? 10_000;
    this.capacity = options.budget ?? 200;
    this.earn = options.earnPerSuccess ?? 0.1;
    this.random = options.random ?? Math.random;
    this.tokens = this.capacity;
  }

  /** The delay before attempt number `attempt + 1`, given `attempt` attempts so far. */
  backoff(attempt: number): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.max(0, attempt - 1));
    return this.random() * ceiling;
  }

  /** Takes a token for one retry; false means retrying now would exceed the budget. */
  allowRetry(attempts: number): boolean {
    if (attempts >= this.maxAttempts || this.tokens < 1) {
      this.refused++;
      return false;
    }
    this.tokens -= 1;
    this.retries++;
    return true;
  }

  succeeded(): void {
    this.tokens = Math.min(this.capacity, this.tokens + this.earn);
  }

  remaining(): number {
    return this.tokens;
  }
}
