import type { Journal, RecipientRow } from '../store/journal.js';
import { classify } from './classify.js';
import type { CampaignEvent, Progress } from './events.js';
import type { StopReason } from './failure.js';
import { type Clock, type RateLimiter, systemClock } from './rate-limiter.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Sender } from './sender.js';

export interface RunOptions {
  journal: Journal;
  sender: Sender;
  limiter: RateLimiter;
  retry: RetryPolicy;
  concurrency: number;
  /** Aborting stops taking new recipients; in-flight ones finish and are recorded. */
  signal?: AbortSignal;
  onEvent?: (event: CampaignEvent) => void;
  clock?: Clock;
  /** Recipients read from the journal per query. */
  pageSize?: number;
  /** Consecutive deferred recipients after which the server is taken to be down. */
  unavailableAfter?: number;
  /** Consecutive recipients failing with one code after which the setup is taken to be wrong. */
  misconfiguredAfter?: number;
}

export interface RunOutcome {
  progress: Progress;
  stop?: { reason: StopReason | 'interrupted'; code: string; message: string };
}

/**
 * Sends to every recipient the journal still holds as pending or deferred, within the rate and concurrency limits.
 * Each recipient is attempted with its stored key until it is sent, skipped or failed for good, or its transient
 * failures run out of attempts or retry budget. A stop verdict (budget gone, bad credentials, stock unusable) ends
 * the intake of new recipients; those already in flight still finish so their answers are not lost.
 */
export class CampaignRunner {
  private readonly o: RunOptions;
  private readonly clock: Clock;
  private readonly started: number;
  private stopInfo: RunOutcome['stop'];
  private consecutiveDeferred = 0;
  private failStreak: { code: string; seqs: number[] } = { code: '', seqs: [] };
  /** Sends waiting out a backoff, woken at once by an abort. */
  private readonly wakers = new Set<() => void>();
  private readonly wakeAll = () => {
    for (const wake of [...this.wakers]) wake();
  };
  readonly progress: Progress;

  constructor(options: RunOptions) {
    this.o = options;
    this.clock = options.clock ?? systemClock;
    this.started = this.clock.now();
    const counts = options.journal.counts();
    const total = counts.reduce((n, c) => n + c.count, 0);
    const settled = counts
      .filter((c) => c.state === 'sent' || c.state === 'skipped' || c.state === 'failed')
      .reduce((n, c) => n + c.count, 0);
    this.progress = {
      total,
      settledBefore: settled,
      sent: 0,
      skipped: 0,
      failed: 0,
      deferred: 0,
      inFlight: 0,
      attempts: 0,
      retries: 0,
      throttles: 0,
      rate: options.limiter.target,
      elapsedMs: 0,
    };
  }

  snapshot(): Progress {
    this.progress.elapsedMs = this.clock.now() - this.started;
    this.progress.rate = this.o.limiter.rate();
    this.progress.throttles = this.o.limiter.throttles;
    this.progress.retries = this.o.retry.retries;
    return { ...this.progress };
  }

  private stopped(): boolean {
    if (!this.stopInfo && this.o.signal?.aborted) {
      this.stopInfo = { reason: 'interrupted', code: 'INTERRUPTED', message: 'interrupted by a signal' };
      this.o.onEvent?.({ type: 'stopping', ...this.stopInfo });
    }
    return this.stopInfo !== undefined;
  }

  async run(): Promise<RunOutcome> {
    const { journal, concurrency } = this.o;
    const pageSize = this.o.pageSize ?? 512;
    // A counting slot gate: a finishing task wakes the loop directly. (Racing the set of active tasks would hang
    // one reaction on every task per free slot, a cost that grows with --concurrency.)
    let active = 0;
    let wake: (() => void) | undefined;
    // A task that throws (the journal failing, say) ends the run with its error once the others are done.
    let crashed: { error: unknown } | undefined;
    const release = () => {
      active--;
      const w = wake;
      wake = undefined;
      w?.();
    };
    const crash = (error: unknown) => {
      crashed ??= { error };
      release();
    };
    let cursor = 0;
    outer: for (;;) {
      const page = journal.todo(cursor, pageSize);
      if (page.length === 0) break;
      for (const row of page) {
        cursor = row.seq;
        while (active >= concurrency) await new Promise<void>((resolve) => (wake = resolve));
        if (crashed || this.stopped()) break outer;
        active++;
        this.process(row).then(release, crash);
      }
    }
    while (active > 0) await new Promise<void>((resolve) => (wake = resolve));
    if (crashed) throw crashed.error;
    this.stopped();
    return this.stopInfo ? { progress: this.snapshot(), stop: this.stopInfo } : { progress: this.snapshot() };
  }

  private async process(row: RecipientRow): Promise<void> {
    const { journal, sender, limiter, retry } = this.o;
    const p = this.progress;
    let attemptsThisRun = 0;
    let lastUncertain = row.uncertain;
    p.inFlight++;
    try {
      for (;;) {
        // A recipient whose last answer was uncertain keeps going after a stop: one more try with the same key
        // settles whether it was issued. Anyone else is left for a rerun.
        if (this.stopped() && !(lastUncertain && attemptsThisRun > 0)) return;
        await limiter.take();
        journal.recordAttempt(row.seq);
        attemptsThisRun++;
        p.attempts++;
        const outcome = await sender.send({ openid: row.openid, requestNo: row.requestNo, fields: row.fields });
        if (outcome.ok) {
          journal.recordResult(row.seq, 'sent', { coupon: outcome.coupon });
          p.sent++;
          retry.succeeded();
          this.consecutiveDeferred = 0;
          this.failStreak = { code: '', seqs: [] };
          return;
        }
        const verdict = classify(outcome.failure);
        const detail = { errorCode: verdict.code, errorMessage: verdict.message };
        switch (verdict.action) {
          case 'skip':
            journal.recordResult(row.seq, 'skipped', detail);
            p.skipped++;
            this.failStreak = { code: '', seqs: [] };
            this.o.onEvent?.({
              type: 'skipped',
              openid: row.openid,
              reason: verdict.reason,
              code: verdict.code,
              message: verdict.message,
            });
            return;
          case 'fail':
            journal.recordResult(row.seq, 'failed', detail);
            p.failed++;
            this.o.onEvent?.({ ...detailEvent(row, verdict), deferred: false });
            this.noteFailed(row.seq, verdict.code, verdict.message);
            return;
          case 'stop':
            // A refusal about the stock answers for this key too (the server replays an issued key before it
            // checks the stock); a refusal of the caller says nothing about what an earlier attempt did.
            journal.recordResult(row.seq, 'pending', {
              ...detail,
              uncertain: verdict.uncertain || (lastUncertain && !STOCK_VERDICTS.has(verdict.reason)),
            });
            if (!this.stopInfo) {
              this.stopInfo = { reason: verdict.reason, code: verdict.code, message: verdict.message };
              this.o.onEvent?.({ type: 'stopping', ...this.stopInfo });
            }
            return;
          case 'retry': {
            lastUncertain = verdict.uncertain || (lastUncertain && verdict.throttled);
            if (verdict.throttled) {
              const before = limiter.throttles;
              limiter.throttled();
              if (limiter.throttles !== before) this.o.onEvent?.({ type: 'throttled', rate: limiter.rate() });
            }
            const mayRetry = retry.allowRetry(attemptsThisRun);
            if (!mayRetry) {
              journal.recordResult(row.seq, 'deferred', { ...detail, uncertain: lastUncertain });
              p.deferred++;
              this.o.onEvent?.({ ...detailEvent(row, verdict), deferred: true });
              this.noteDeferred(verdict.code, verdict.message);
              return;
            }
            journal.recordResult(row.seq, 'pending', { ...detail, uncertain: lastUncertain });
            await this.pause(retry.backoff(attemptsThisRun));
          }
        }
      }
    } finally {
      p.inFlight--;
    }
  }

  /**
   * Backoff that a Ctrl-C cuts short, so an interrupted run does not wait out a long retry delay. The signal gets
   * one listener for all waiting sends: one each would pass the listener limit at --concurrency 64 and warn.
   */
  private pause(ms: number): Promise<void> {
    const signal = this.o.signal;
    if (!signal) return this.clock.sleep(ms);
    if (signal.aborted) return Promise.resolve();
    if (this.wakers.size === 0) signal.addEventListener('abort', this.wakeAll, { once: true });
    return new Promise((resolve) => {
      const done = () => {
        if (!this.wakers.delete(done)) return;
        if (this.wakers.size === 0) signal.removeEventListener('abort', this.wakeAll);
        resolve();
      };
      this.wakers.add(done);
      void this.clock.sleep(ms).then(done);
    });
  }

  /**
   * A parameter error on one row is that row's; the same error on row after row (a stock that needs a coupon_code
   * column, an appid that is not bound) is the campaign's. Then the streak goes back to pending, so fixing the
   * setup and rerunning sends to those recipients too, and the campaign stops.
   */
  private noteFailed(seq: number, code: string, message: string): void {
    if (this.failStreak.code !== code) this.failStreak = { code, seqs: [] };
    this.failStreak.seqs.push(seq);
    const limit = this.o.misconfiguredAfter ?? 20;
    if (this.failStreak.seqs.length < limit || this.stopInfo) return;
    for (const s of this.failStreak.seqs) {
      this.o.journal.recordResult(s, 'pending', { errorCode: code, errorMessage: message });
    }
    this.progress.failed -= this.failStreak.seqs.length;
    this.stopInfo = {
      reason: 'misconfigured',
      code,
      message: `${this.failStreak.seqs.length} recipients in a row failed with ${code} (${message})`,
    };
    this.failStreak = { code: '', seqs: [] };
    this.o.onEvent?.({ type: 'stopping', ...this.stopInfo });
  }

  private noteDeferred(code: string, message: string): void {
    this.consecutiveDeferred++;
    if (this.consecutiveDeferred >= (this.o.unavailableAfter ?? 50) && !this.stopInfo) {
      this.stopInfo = {
        reason: 'unavailable',
        code,
        message: `${this.consecutiveDeferred} recipients in a row failed with transient errors (last: ${message})`,
      };
      this.o.onEvent?.({ type: 'stopping', ...this.stopInfo });
    }
  }
}

const STOCK_VERDICTS = new Set<StopReason>([
  'budget_exhausted',
  'stock_missing',
  'stock_not_running',
  'stock_unsuitable',
]);

function detailEvent(row: RecipientRow, verdict: { code: string; message: string }) {
  return { type: 'failed' as const, openid: row.openid, code: verdict.code, message: verdict.message };
}
