import type { FavorCallbacksResponse } from '@wxcoupon/sdk';
import type { Kysely } from 'kysely';
import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { ApiError } from '../../errors/api-error.js';
import { MESSAGES } from '../../errors/messages.js';
import * as repo from './favor.repository.js';

// 代金券 notification URLs (F18 set, F19 read): where COUPON.USE notifications go.

export class FavorCallbacks {
  constructor(private readonly ctx: PlatformContext) {}

  private get db() {
    return this.ctx.db;
  }

  async setCallback(
    mchid: string,
    target: string,
    notifyUrl: string,
    enabled: boolean | undefined,
  ): Promise<FavorCallbacksResponse> {
    if (!(await this.ctx.services.merchants.find(target)))
      throw new ApiError('MCH_NOT_EXISTS', MESSAGES.mchNotExists, { field: '/mchid', value: target, location: 'body' });
    // Only the caller's own URL may be set; the table's text for another merchant number.
    if (target !== mchid) throw new ApiError('INVALID_REQUEST', MESSAGES.illegalMchid);
    const now = this.ctx.clock();
    const on = enabled === undefined ? 1 : enabled ? 1 : 0;
    await repo.upsertCallback(this.db, { mchid, notify_url: notifyUrl, enabled: on, update_ms: now });
    return { update_time: rfc3339(now), notify_url: notifyUrl };
  }

  async getCallback(mchid: string, target: string) {
    if (target !== mchid) throw new ApiError('INVALID_REQUEST', MESSAGES.illegalMchid);
    const row = await repo.findCallback(this.db, mchid);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.callbackNotSet);
    return { mchid, notify_url: row.notify_url };
  }

  /**
   * The notification URL of a merchant, if set and switched on (for the COUPON.USE sender); read in
   * `db` when given, so that a notification written inside a transaction sees that transaction.
   */
  async callbackUrl(mchid: string, db: Kysely<Database> = this.db): Promise<string | undefined> {
    const row = await repo.findCallback(db, mchid);
    return row && row.enabled === 1 ? row.notify_url : undefined;
  }
}
