import type { Db } from '../../src/db/database.js';
import { findStock, type StockRow } from '../../src/features/favor/favor.repository.js';

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
