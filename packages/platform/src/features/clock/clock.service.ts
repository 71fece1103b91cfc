import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';

const YEAR_MS = 365 * 86_400_000;
/** How far back the clock may be set: far enough for any stock window, not so far that keys look unborn. */
const EARLIEST_BEFORE_REAL_MS = YEAR_MS;
/** How far ahead: beyond any coupon's validity, and well inside what dates can represent. */
const LATEST_AFTER_REAL_MS = 10 * YEAR_MS;

export interface ClockView {
  now: string;
  now_ms: number;
  offset_seconds: number;
  real_now: string;
}

/**
 * Moves the platform clock and applies what the move implies before answering. Stock windows,
 * coupon expiry and the Beijing day are computed from the clock whenever they are read, so once the
 * offset is stored an ended stock reads stopped and its unused coupons EXPIRED, and a new day's
 * budget is open; what must be done is the work that was waiting for the time: notifications whose
 * next attempt has come are attempted here, before the answer.
 */
export class ClockService {
  constructor(private readonly ctx: PlatformContext) {}

  /** The clock as stored now (read from the database, which also brings this instance up to date). */
  async show(): Promise<ClockView> {
    await this.ctx.platformClock.refresh();
    return this.view();
  }

  async advance(byMs: number, text: string): Promise<ClockView> {
    const clock = this.ctx.platformClock;
    await clock.refresh();
    if (clock.now() + byMs > clock.real() + LATEST_AFTER_REAL_MS)
      throw outOfRange('/by', text, 'would move the clock more than 10 years past the real time');
    await clock.advance(byMs);
    return this.settle();
  }

  async set(ms: number, text: string): Promise<ClockView> {
    const clock = this.ctx.platformClock;
    if (ms < clock.real() - EARLIEST_BEFORE_REAL_MS)
      throw outOfRange('/time', text, 'must not be more than 1 year before the real time');
    if (ms > clock.real() + LATEST_AFTER_REAL_MS)
      throw outOfRange('/time', text, 'must not be more than 10 years after the real time');
    await clock.set(ms);
    return this.settle();
  }

  async resume(): Promise<ClockView> {
    await this.ctx.platformClock.resume();
    return this.settle();
  }

  private async settle(): Promise<ClockView> {
    await this.ctx.services.notify.deliverDue();
    return this.view();
  }

  private view(): ClockView {
    const clock = this.ctx.platformClock;
    const now = clock.now();
    return {
      now: rfc3339(now),
      now_ms: now,
      offset_seconds: Math.round(clock.offset() / 1000),
      real_now: rfc3339(clock.real()),
    };
  }
}

function outOfRange(field: string, value: string, issue: string): ApiError {
  return new ApiError('PARAM_ERROR', `${field.slice(1)}: ${issue}`, { field, value, issue, location: 'body' });
}

declare module '../../context.js' {
  interface PlatformServices {
    clock: ClockService;
  }
}
