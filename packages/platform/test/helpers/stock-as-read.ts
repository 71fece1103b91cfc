import type { Db } from '../../src/db/database.js';
import { dailyAmounts, findStock, type StockRow } from '../../src/features/favor/favor.repository.js';

/**
 * A 代金券 stock as the platform reads it: its issued counts are its row's counters less what its budget
 * slices still hold (PostgreSQL claims budget in slices per connection), and the claimed counters, which
 * must never pass the stock's budget, alongside.
 */
export async function stockAsRead(db: Db, stockId: string): Promise<StockRow & { claimed_coupons: number }> {
  const stock = await findStock(db, stockId);
  if (!stock) throw new Error(`no stock ${stockId}`);
  const row = await db
    .selectFrom('favor_stocks')
    .select('distributed_coupons')
    .where('stock_id', '=', stockId)
    .executeTakeFirstOrThrow();
  const claimed = Number(row.distributed_coupons);
  if (claimed > Number(stock.max_coupons)) throw new Error(`stock ${stockId} claimed ${claimed} > max_coupons`);
  return { ...stock, claimed_coupons: claimed };
}

/** A stock's coupon rows beside its counts as read: `rows` = `distributed` when nothing is lost or invented. */
export async function issuedCounts(db: Db, stockId: string) {
  const rows = await db.selectFrom('favor_coupons').select('coupon_id').where('stock_id', '=', stockId).execute();
  const stock = await stockAsRead(db, stockId);
  return {
    rows: rows.length,
    distributed: Number(stock.distributed_coupons),
    amount: Number(stock.distributed_amount),
    claimed: stock.claimed_coupons,
  };
}

/**
 * What a 代金券 stock issued on each Beijing day it has a row for, as the platform reads it (the day's row less
 * what its day slices still hold), in day order.
 */
export async function issuedByDay(db: Db, stockId: string): Promise<number[]> {
  const days = await db
    .selectFrom('favor_daily_amounts')
    .select('day')
    .where('stock_id', '=', stockId)
    .orderBy('day')
    .execute();
  const out: number[] = [];
  for (const { day } of days) out.push((await dailyAmounts(db, day)).get(stockId) ?? 0);
  return out;
}
