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
