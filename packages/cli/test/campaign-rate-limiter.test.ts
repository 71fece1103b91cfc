import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Clock, RateLimiter } from '../src/campaign/engine/rate-limiter.js';
import { RetryPolicy } from '../src/campaign/engine/retry-policy.js';

/** A clock that moves only when sleepers wait, so rates are exact and tests instant. */
function virtualClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

async function takeMany(limiter: RateLimiter, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => limiter.take()));
}

test('the token bucket holds the target rate', async () => {
  const clock = virtualClock();
  const limiter = new RateLimiter({ qps: 400, clock });
  await takeMany(limiter, 2000);
  const seconds = clock.t / 1000;
  assert.ok(Math.abs(2000 / seconds - 400) < 400 * 0.03, `achieved ${(2000 / seconds).toFixed(1)}/s`);
});

test('a 429 halves the rate, and it climbs back to the target', async () => {
  const clock = virtualClock();
  const limiter = new RateLimiter({ qps: 100, recoverySeconds: 10, clock });
  await takeMany(limiter, 50);
  limiter.throttled();
  assert.equal(limiter.rate(), 50);
  limiter.throttled();
  assert.equal(limiter.rate(), 50, 'answers already in flight do not cut twice');
  clock.t += 5000;
  assert.equal(limiter.rate(), 100 * 0.5 + 50, 'halfway back after half the recovery time');
  clock.t += 10_000;
  assert.equal(limiter.rate(), 100);
  clock.t += 1000;
  limiter.throttled();
  assert.equal(limiter.rate(), 50, 'a later 429 cuts again');
  assert.equal(limiter.throttles, 2);
});

test('while throttled the bucket releases fewer requests per second', async () => {
  const clock = virtualClock();
  const limiter = new RateLimiter({ qps: 200, recoverySeconds: 1000, clock });
  limiter.throttled();
  const start = clock.t;
  await takeMany(limiter, 300);
  const rate = 300 / ((clock.t - start) / 1000);
  assert.ok(rate < 110 && rate > 90, `achieved ${rate.toFixed(1)}/s`);
});

test('backoff uses full jitter under a doubling ceiling', () => {
  const top = new RetryPolicy({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
  assert.ok(Math.abs(top.backoff(1) - 100) < 0.01);
  assert.ok(Math.abs(top.backoff(3) - 400) < 0.01);
  assert.ok(Math.abs(top.backoff(10) - 1000) < 0.01);
  const bottom = new RetryPolicy({ random: () => 0 });
  assert.equal(bottom.backoff(5), 0);
});

test('the retry budget runs dry without successes and refills with them', () => {
  const policy = new RetryPolicy({ budget: 3, earnPerSuccess: 0.5, maxAttempts: 100 });
  assert.equal(policy.allowRetry(1), true);
  assert.equal(policy.allowRetry(1), true);
  assert.equal(policy.allowRetry(1), true);
  assert.equal(policy.allowRetry(1), false);
  policy.succeeded();
  policy.succeeded();
  assert.equal(policy.allowRetry(1), true);
  assert.equal(policy.allowRetry(100), false, 'per-recipient attempts are capped too');
});
