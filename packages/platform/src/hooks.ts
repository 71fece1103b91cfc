import type { Transaction } from 'kysely';
import type { Database } from './db/schema.js';

// Domain events, delivered synchronously INSIDE the transaction that caused them, so a listener
// (the notification outbox, for instance) commits or rolls back together with the change itself.
// Features add events by augmenting PlatformEvents:
//
//   declare module '../../hooks.js' { interface PlatformEvents { 'busifavor.coupon.sent': {...} } }

export interface PlatformEvents {
  /** The admin API resets issued state: each feature clears what it issued (coupons, counters, outbox). */
  'platform.reset': { at: number };
  /** A 代金券 was marked used (admin API / simulated payment). */
  'favor.coupon.used': {
    mchid: string;
    stockId: string;
    couponId: string;
    /** The coupon as F9 returns it, status USED with consume_information. */
    coupon: Record<string, unknown>;
  };
}

export type Listener<E extends keyof PlatformEvents> = (
  trx: Transaction<Database>,
  event: PlatformEvents[E],
) => Promise<void>;

export class Hooks {
  private readonly listeners = new Map<keyof PlatformEvents, Listener<never>[]>();

  on<E extends keyof PlatformEvents>(event: E, listener: Listener<E>): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as Listener<never>);
    this.listeners.set(event, list);
  }

  async emit<E extends keyof PlatformEvents>(
    trx: Transaction<Database>,
    event: E,
    payload: PlatformEvents[E],
  ): Promise<void> {
    for (const l of (this.listeners.get(event) ?? []) as Listener<E>[]) await l(trx, payload);
  }
}
