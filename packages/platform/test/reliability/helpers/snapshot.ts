import { sql } from 'kysely';
import type { Db } from '../../../src/db/database.js';

// Business state in numbers: row counts of every table a request could change, and the issued
// totals. Rate-limit windows are left out on purpose: counting a refused call is not a change of state.
const TABLES = [
  'merchants',
  'merchant_certificates',
  'appids',
  'merchant_appids',
  'users',
  'settings',
  'platform_keys',
  'favor_stocks',
  'favor_stock_senders',
  'favor_user_counts',
  'favor_daily_amounts',
  'favor_coupons',
  'favor_callbacks',
  'busifavor_stocks',
  'busifavor_user_counts',
  'busifavor_codes',
  'busifavor_coupons',
  'busifavor_requests',
  'busifavor_callbacks',
];

export async function snapshot(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    out[table] = Number(r.rows[0]?.n ?? 0);
  }
  // Issued, as the platform reads it: what the stocks' rows claimed, less what their budget slices still hold.
  const issued = await sql<{
    c: number | string | null;
    a: number | string | null;
  }>`select sum(distributed_coupons) - (select coalesce(sum(coupons_left), 0) from favor_budget_slices) as c,
        sum(distributed_amount) - (select coalesce(sum(amount_left), 0) from favor_budget_slices) as a
      from favor_stocks`.execute(db);
  out['favor_stocks.distributed_coupons'] = Number(issued.rows[0]?.c ?? 0);
  out['favor_stocks.distributed_amount'] = Number(issued.rows[0]?.a ?? 0);
  // A modification changes a stock's body, not the number of stocks.
  const bodies = await sql<{
    n: number | string | null;
  }>`select sum(length(body_json)) as n from busifavor_stocks`.execute(db);
  out['busifavor_stocks.body_length'] = Number(bodies.rows[0]?.n ?? 0);
  return out;
}
