import { randomUUID } from 'node:crypto';
import { aesGcmEncrypt, nonce } from '@wxcoupon/sdk/crypto';
import type { Transaction } from 'kysely';
import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { withDurable } from '../../db/durability.js';
import type { Database } from '../../db/schema.js';
import { writeTransaction } from '../../db/transaction.js';
import { ApiError } from '../../errors/api-error.js';
import * as repo from './notify.repository.js';
import { type DeliverySettings, readDeliverySettings, writeDeliverySettings } from './notify.settings.js';
import type { DeliveryWorker } from './notify.worker.js';

// Builds notifications as WeChat Pay sends them (protocol.md §1.6, coupon-api.md §1.5) and keeps
// them in the outbox. The body, with its AEAD_AES_256_GCM resource, is fixed when the event happens
// (a redelivery repeats the same id and ciphertext); the signature is made at each attempt so its
// timestamp is always fresh.

export interface NewNotification {
  mchid: string;
  notifyUrl: string;
  eventType: 'COUPON.SEND' | 'COUPON.USE';
  summary: string;
  resource: Record<string, unknown>;
}

const ASSOCIATED_DATA = 'coupon';

export class NotifyService {
  /** Called after a commit that enqueued something, so the local worker need not wait for its next poll. */
  onEnqueued: () => void = () => {};

  constructor(
    private readonly ctx: PlatformContext,
    /** This instance's deliverer; attempts asked for now (redeliver, trigger, a moved clock) go through it. */
    readonly worker: DeliveryWorker,
  ) {}

  /** Writes the notification inside the caller's transaction: it exists exactly when the event does. */
  async enqueue(trx: Transaction<Database>, n: NewNotification): Promise<string> {
    const merchant = await this.ctx.services.merchants.find(n.mchid, trx);
    if (!merchant) throw new Error(`notification for unknown merchant ${n.mchid}`);
    const now = this.ctx.clock();
    const id = randomUUID();
    const iv = nonce(12);
    const body = JSON.stringify({
      id,
      create_time: rfc3339(now),
      resource_type: 'encrypt-resource',
      event_type: n.eventType,
      summary: n.summary,
      resource: {
        original_type: 'coupon',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: aesGcmEncrypt(JSON.stringify(n.resource), merchant.api_v3_key, iv, ASSOCIATED_DATA),
        associated_data: ASSOCIATED_DATA,
        nonce: iv,
      },
    });
    await repo.insertNotification(trx, {
      id,
      mchid: n.mchid,
      event_type: n.eventType,
      notify_url: n.notifyUrl,
      body,
      status: repo.PENDING,
      attempts: 0,
      next_attempt_ms: now,
      claimed_by: null,
      lease_until: null,
      create_ms: now,
      delivered_ms: null,
      last_error: null,
    });
    // The transaction has not committed yet; the nudge is delayed so the worker finds the row.
    setTimeout(() => this.onEnqueued(), 25).unref?.();
    return id;
  }

  async get(id: string) {
    const row = await repo.findNotification(this.ctx.db, id);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', `notification ${id} does not exist`);
    return (await this.views([row]))[0];
  }

  async list(q: { status?: string; eventType?: string; mchid?: string; limit: number; offset: number }) {
    const rows = await repo.listNotifications(this.ctx.db, q);
    return { data: await this.views(rows), limit: q.limit, offset: q.offset };
  }

  /** Attempts a notification now, whatever its status or schedule, and answers with the attempt recorded. */
  async redeliver(id: string) {
    if (!(await repo.findNotification(this.ctx.db, id)))
      throw new ApiError('RESOURCE_NOT_EXISTS', `notification ${id} does not exist`);
    const { leaseMs } = await this.settings();
    const row = await withDurable(this.ctx.db, () =>
      repo.requeueClaimed(this.ctx.db, id, this.ctx.clock(), this.worker.instance, Date.now(), leaseMs),
    );
    if (!row)
      throw new ApiError(
        'INVALID_REQUEST',
        `notification ${id} is being delivered right now; ask again once it is recorded`,
      );
    await this.worker.deliverClaimed(row);
    return this.get(id);
  }

  /**
   * A notification for an existing coupon, built and signed as for the event itself and sent now to
   * the merchant's configured URL (to exercise a webhook handler): COUPON.USE for a 代金券 (its
   * current F9 view), COUPON.SEND for a 商家券 (by coupon code). `mchid`, when given, must be the
   * coupon's creator, whose URL is used.
   */
  async trigger(t: { couponId: string; eventType: 'COUPON.USE' | 'COUPON.SEND'; mchid: string | undefined }) {
    const event = await this.eventFor(t);
    const { leaseMs } = await this.settings();
    const row = await withDurable(this.ctx.db, () =>
      writeTransaction(this.ctx.db, async (trx) => {
        const id = await this.enqueue(trx, event);
        // Claimed in the same transaction, so no worker picks it up before this request attempts it.
        return repo.claimOne(trx, this.worker.instance, id, Date.now(), leaseMs);
      }),
    );
    if (!row) throw new Error('a notification just written could not be claimed');
    await this.worker.deliverClaimed(row);
    return this.get(row.id);
  }

  private async eventFor(t: {
    couponId: string;
    eventType: 'COUPON.USE' | 'COUPON.SEND';
    mchid: string | undefined;
  }): Promise<NewNotification> {
    const { favor, busifavor } = this.ctx.services;
    if (t.eventType === 'COUPON.USE') {
      const found = await favor.couponById(t.couponId);
      if (!found || (t.mchid !== undefined && found.creatorMchid !== t.mchid))
        throw new ApiError('RESOURCE_NOT_EXISTS', `no 代金券 with coupon_id ${t.couponId}${of(t.mchid)}`);
      const url = await favor.callbackUrl(found.creatorMchid);
      if (url === undefined)
        throw new ApiError(
          'INVALID_REQUEST',
          `merchant ${found.creatorMchid} has no 代金券 notification URL switched on: set one with POST /v3/marketing/favor/callbacks (wxcoupon callback set)`,
        );
      return {
        mchid: found.creatorMchid,
        notifyUrl: url,
        eventType: 'COUPON.USE',
        summary: '用券成功',
        resource: found.coupon,
      };
    }
    const found = await busifavor.coupons.sendEvent(t.couponId, t.mchid);
    if (!found) throw new ApiError('RESOURCE_NOT_EXISTS', `no 商家券 with coupon code ${t.couponId}${of(t.mchid)}`);
    const url = await busifavor.callbackUrl(found.creatorMchid);
    if (url === undefined)
      throw new ApiError(
        'INVALID_REQUEST',
        `merchant ${found.creatorMchid} has no 商家券 notification URL: set one with POST /v3/marketing/busifavor/callbacks`,
      );
    return {
      mchid: found.creatorMchid,
      notifyUrl: url,
      eventType: 'COUPON.SEND',
      summary: '商家券领券通知',
      resource: found.resource,
    };
  }

  /** Attempts, before resolving, every notification due on the platform clock now (after it was moved). */
  deliverDue(): Promise<void> {
    return this.worker.deliverDue();
  }

  settings(): Promise<DeliverySettings> {
    return readDeliverySettings(this.ctx.db);
  }

  /** Changes the delivery settings for every instance on this database (e.g. a short schedule for tests). */
  async configure(change: Partial<DeliverySettings>): Promise<DeliverySettings> {
    const next = await writeDeliverySettings(this.ctx.db, change);
    this.onEnqueued(); // the local worker picks the new schedule up now, not after its old poll interval
    return next;
  }

  private async views(rows: repo.OutboxRow[]) {
    const attempts = await repo.attemptsOf(
      this.ctx.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      mchid: r.mchid,
      event_type: r.event_type,
      notify_url: r.notify_url,
      status: r.status,
      attempts: r.attempts,
      create_time: rfc3339(r.create_ms),
      ...(r.status === repo.PENDING ? { next_attempt_time: rfc3339(r.next_attempt_ms) } : {}),
      ...(r.delivered_ms !== null ? { delivered_time: rfc3339(r.delivered_ms) } : {}),
      ...(r.last_error !== null ? { last_error: r.last_error } : {}),
      attempt_log: attempts
        .filter((a) => a.notification_id === r.id)
        .map((a) => ({
          attempt: a.attempt,
          time: rfc3339(a.start_ms),
          duration_ms: a.duration_ms,
          ok: a.ok === 1,
          ...(a.http_status !== null ? { http_status: a.http_status } : {}),
          ...(a.error !== null ? { error: a.error } : {}),
          instance: a.instance,
        })),
      body: r.body,
    }));
  }
}

function of(mchid: string | undefined): string {
  return mchid === undefined ? '' : ` created by merchant ${mchid}`;
}

declare module '../../context.js' {
  interface PlatformServices {
    notify: NotifyService;
  }
}
