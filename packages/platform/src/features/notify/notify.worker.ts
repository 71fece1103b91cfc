import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AUTH_SCHEME, nonce, responseMessage, rsaSignAsync, timestamp } from '@wxcoupon/sdk/crypto';
import type { PlatformContext } from '../../context.js';
import { withDurable } from '../../db/durability.js';
import { requestId } from '../../ids.js';
import type { PlatformKeyMode } from '../../keys/platform-keys.js';
import * as repo from './notify.repository.js';
import { type DeliverySettings, readDeliverySettings } from './notify.settings.js';

// Delivers due notifications from the outbox. Everything that must survive a restart or be shared
// between instances is in the database (status, attempts, next time, lease); this object holds only
// its timer and the requests in flight.

const BATCH = 20;
const ERROR_TEXT = 300;
/** The reason deliveries are broken off with when the platform closes. */
const CLOSING = new Error('platform closing');

export class DeliveryWorker {
  readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private again = false;
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly ctx: PlatformContext) {}

  start(): void {
    this.schedule(0);
  }

  /** Look now (something was enqueued or requeued in this process). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /**
   * Claims nothing more and lets the deliveries in flight finish (each is bounded by its own timeout); once
   * `hurry` aborts, breaks them off and gives their claims back, so that they are delivered again at once.
   */
  async stop(hurry?: AbortSignal): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const breakOff = () => {
      for (const c of this.inflight) c.abort(CLOSING);
    };
    if (!hurry || hurry.aborted) breakOff();
    else hurry.addEventListener('abort', breakOff, { once: true });
    try {
      await this.running;
    } finally {
      hurry?.removeEventListener('abort', breakOff);
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref?.();
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    let next = 1000;
    this.running = (async () => {
      const settings = await readDeliverySettings(this.ctx.db);
      next = settings.pollIntervalMs;
      const claimed = await this.runOnce(settings);
      if (claimed === BATCH) next = 0;
    })()
      .catch((err: unknown) => {
        if (!this.stopped)
          this.ctx.log(`platform: notification worker: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        this.running = undefined;
        const soon = this.again;
        this.again = false;
        this.schedule(soon ? 0 : next);
      });
  }

  /** Claims and delivers what is due now; returns how many it claimed. */
  async runOnce(settings: DeliverySettings): Promise<number> {
    // Due is a matter of the platform clock (the schedule moves with it); a lease guards against two
    // instances sending at once, which is a matter of real time. Tell a merchant about a coupon only once
    // the coupon (and this claim) is committed: on SQLite the send that wrote the outbox row may still be
    // in an open group commit.
    const claimed = await withDurable(
      this.ctx.db,
      () => repo.claimDue(this.ctx.db, this.instance, this.ctx.clock(), Date.now(), settings.leaseMs, BATCH),
      (rows) => rows.length > 0,
    );
    await Promise.all(claimed.map((row) => this.deliver(row, settings)));
    return claimed.length;
  }

  /**
   * Attempts, before resolving, everything due on the platform clock now (after the clock was moved):
   * the round in progress is waited for, then rounds are run until nothing due is left unclaimed.
   */
  async deliverDue(): Promise<void> {
    if (this.stopped) return;
    await this.running;
    const settings = await readDeliverySettings(this.ctx.db);
    while ((await this.runOnce(settings)) === BATCH && !this.stopped);
    // A round the timer began meanwhile may hold rows that came due with the move.
    await this.running;
  }

  /** Attempts a notification already claimed for this worker (an attempt asked for now); resolves once recorded. */
  async deliverClaimed(row: repo.OutboxRow): Promise<void> {
    await this.deliver(row, await readDeliverySettings(this.ctx.db));
  }

  private async deliver(row: repo.OutboxRow, settings: DeliverySettings): Promise<void> {
    const start = this.ctx.clock();
    const realStart = Date.now();
    const attempt = row.attempts + 1;
    let httpStatus: number | null = null;
    let error: string | null = null;
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${settings.timeoutMs} ms`)),
      settings.timeoutMs,
    );
    try {
      const res = await fetch(row.notify_url, {
        method: 'POST',
        headers: await this.headers(row),
        body: row.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      httpStatus = res.status;
      const text = await res.text().catch(() => '');
      // Only 200 and 204 count as received (coupon-api.md §1.5); anything else is retried.
      if (res.status !== 200 && res.status !== 204)
        error = `HTTP ${res.status}${text ? `: ${text.slice(0, ERROR_TEXT)}` : ''}`;
    } catch (err) {
      error = describe(controller.signal.aborted ? controller.signal.reason : err);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
    if (controller.signal.reason === CLOSING) {
      // Broken off by a shutdown: not an attempt the merchant's server failed.
      await repo.releaseClaim(this.ctx.db, this.instance, row.id);
      return;
    }
    const end = start + (Date.now() - realStart);
    const ok = error === null;
    const delay = settings.retryDelaysMs[attempt - 1];
    await repo.finishAttempt(
      this.ctx.db,
      this.instance,
      row,
      {
        notification_id: row.id,
        attempt,
        start_ms: start,
        duration_ms: end - start,
        http_status: httpStatus,
        error,
        ok: ok ? 1 : 0,
        instance: this.instance,
      },
      ok
        ? { status: repo.DELIVERED, next_attempt_ms: row.next_attempt_ms, delivered_ms: end, last_error: null }
        : delay === undefined
          ? { status: repo.FAILED, next_attempt_ms: row.next_attempt_ms, delivered_ms: null, last_error: error }
          : { status: repo.PENDING, next_attempt_ms: end + delay, delivered_ms: null, last_error: error },
    );
  }

  /** The five Wechatpay-* headers of a signed response, over this exact body, with a fresh timestamp. */
  private async headers(row: repo.OutboxRow): Promise<Record<string, string>> {
    const merchant = await this.ctx.services.merchants.find(row.mchid);
    const key = this.ctx.keys.forNotification((merchant?.platform_key_mode ?? 'both') as PlatformKeyMode);
    // Real time: the merchant's SDK checks it against its own clock, which the test clock does not move.
    const ts = timestamp();
    const n = nonce();
    return {
      'Content-Type': 'application/json',
      'User-Agent': 'wxcoupon-platform-notify',
      'Request-ID': requestId(),
      'Wechatpay-Nonce': n,
      'Wechatpay-Serial': key.id,
      'Wechatpay-Signature': await rsaSignAsync(responseMessage(ts, n, row.body), key.privateKey),
      'Wechatpay-Signature-Type': AUTH_SCHEME,
      'Wechatpay-Timestamp': ts,
    };
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return (detail ? `${err.message} (${detail})` : err.message).slice(0, ERROR_TEXT);
}
