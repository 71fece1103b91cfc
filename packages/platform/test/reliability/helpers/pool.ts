/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; resolves when all settled. */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Counts occurrences by key. */
export class Tally {
  readonly counts: Record<string, number> = {};

  add(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  get(key: string): number {
    return this.counts[key] ?? 0;
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

/**
 * Retries a call whose connection failed (no HTTP answer at all), as a client following WeChat Pay's
 * advice does: the same request again, which is safe because request numbers make it idempotent.
 * Under heavy load a keep-alive connection can be closed by the server just as it is reused.
 */
export async function withRetry<T>(call: () => Promise<T>, onRetry: () => void, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= attempts || !(err instanceof TypeError)) throw err;
      onRetry();
    }
  }
}
