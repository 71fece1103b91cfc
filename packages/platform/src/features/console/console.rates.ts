// The live chart's numbers: coupon sends and error answers of the APIv3 coupon APIs, counted per second
// in memory by this instance as they are answered (after signature verification, so a request refused
// for its signature is not counted). Kept in memory because the chart shows the last minutes of traffic
// through this process, which no table records; each instance of a cluster charts its own traffic.

export const WINDOW_SECONDS = 300;

const SEND_PATHS = [
  /^\/v3\/marketing\/favor\/users\/[^/]+\/coupons$/,
  /^\/v3\/marketing\/busifavor\/coupons\/send$/,
  /^\/v3\/marketing\/busifavor\/product-coupons\/send$/,
];

export function isSend(method: string, path: string): boolean {
  return method === 'POST' && SEND_PATHS.some((p) => p.test(path));
}

export class RateCounter {
  // One slot per second of the window, reused round-robin; `second` says which second a slot holds.
  private readonly second = new Array<number>(WINDOW_SECONDS).fill(-1);
  private readonly sends = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly errors = new Array<number>(WINDOW_SECONDS).fill(0);

  constructor(private readonly now: () => number = Date.now) {}

  record(kind: 'send' | 'error'): void {
    const s = Math.floor(this.now() / 1000);
    const i = s % WINDOW_SECONDS;
    if (this.second[i] !== s) {
      this.second[i] = s;
      this.sends[i] = 0;
      this.errors[i] = 0;
    }
    if (kind === 'send') this.sends[i] = (this.sends[i] ?? 0) + 1;
    else this.errors[i] = (this.errors[i] ?? 0) + 1;
  }

  /** The last `seconds` whole seconds, oldest first (the current, unfinished second last). */
  series(seconds = WINDOW_SECONDS): { end: number; sends: number[]; errors: number[] } {
    const n = Math.min(Math.max(1, seconds), WINDOW_SECONDS);
    const end = Math.floor(this.now() / 1000);
    const sends: number[] = [];
    const errors: number[] = [];
    for (let s = end - n + 1; s <= end; s++) {
      const i = ((s % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS;
      const held = this.second[i] === s;
      sends.push(held ? (this.sends[i] ?? 0) : 0);
      errors.push(held ? (this.errors[i] ?? 0) : 0);
    }
    return { end, sends, errors };
  }
}
