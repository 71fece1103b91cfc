import type { Db } from '../../db/database.js';
import { readSetting, writeSetting } from './notify.repository.js';

// Delivery settings live in the shared `settings` table, so every instance on one database uses
// the same schedule, a restart keeps it, and tests can shorten it through the admin API.

const SETTING = 'notify.delivery';

export interface DeliverySettings {
  /**
   * Delay before each retry after a failed attempt; one immediate attempt, then one retry per entry.
   * Default: WeChat Pay's documented 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24 h 4 min).
   */
  retryDelaysMs: number[];
  /** How often an idle worker looks for due notifications. */
  pollIntervalMs: number;
  /** How long a claim holds before another instance may take the notification over. */
  leaseMs: number;
  /** How long the merchant has to answer (5 s on the real service). */
  timeoutMs: number;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;

export const DEFAULT_DELIVERY: DeliverySettings = {
  retryDelaysMs: [
    15 * S,
    15 * S,
    30 * S,
    3 * M,
    10 * M,
    20 * M,
    30 * M,
    30 * M,
    30 * M,
    60 * M,
    3 * H,
    3 * H,
    3 * H,
    6 * H,
    6 * H,
  ],
  pollIntervalMs: 1000,
  leaseMs: 30_000,
  timeoutMs: 5000,
};

export async function readDeliverySettings(db: Db): Promise<DeliverySettings> {
  const value = await readSetting(db, SETTING);
  if (value === undefined) return DEFAULT_DELIVERY;
  return { ...DEFAULT_DELIVERY, ...(JSON.parse(value) as Partial<DeliverySettings>) };
}

export async function writeDeliverySettings(db: Db, change: Partial<DeliverySettings>): Promise<DeliverySettings> {
  const next = { ...(await readDeliverySettings(db)), ...change };
  await writeSetting(db, SETTING, JSON.stringify(next));
  return next;
}
