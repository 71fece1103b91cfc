/**
 * Decides whether one more call fits in the current window. The in-memory implementation serves a
 * single instance; instances sharing a database need one that counts in a shared store.
 */
export interface RateLimiter {
  tryAcquire(key: string, limit: number, windowMs: number): Promise<boolean> | boolean;
}

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}
