import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type {
  CouponRow as BusifavorCouponRow,
  StockRow as BusifavorStockRow,
} from '../busifavor/busifavor.repository.js';
import type { CouponRow as FavorCouponRow, StockRow as FavorStockRow } from '../favor/favor.repository.js';

// What the console lists: read-only views across both coupon families. Everything the console changes
// goes through the admin API or a merchant API, never through these tables.

type Q = Kysely<Database>;

const LIST_LIMIT = 200;

export function favorStocks(db: Q): Promise<FavorStockRow[]> {
  return db.selectFrom('favor_stocks').selectAll().orderBy('create_ms', 'desc').limit(LIST_LIMIT).execute();
}

export function busifavorStocks(db: Q): Promise<BusifavorStockRow[]> {
  return db.selectFrom('busifavor_stocks').selectAll().orderBy('create_ms', 'desc').limit(LIST_LIMIT).execute();
}

export function favorStock(db: Q, stockId: string): Promise<FavorStockRow | undefined> {
  return db.selectFrom('favor_stocks').selectAll().where('stock_id', '=', stockId).executeTakeFirst();
}

export function busifavorStock(db: Q, stockId: string): Promise<BusifavorStockRow | undefined> {
  return db.selectFrom('busifavor_stocks').selectAll().where('stock_id', '=', stockId).executeTakeFirst();
}

/** Amount (分) issued today per 代金券 stock, keyed by stock id. */
export async function favorAmountsOn(db: Q, day: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('favor_daily_amounts')
    .select(['stock_id', 'amount'])
    .where('day', '=', day)
    .execute();
  return new Map(rows.map((r) => [r.stock_id, Number(r.amount)]));
}

/** Coupons issued today per 商家券 stock, keyed by stock id. */
export async function busifavorCountsOn(db: Q, day: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('busifavor_daily_counts')
    .select(['stock_id', 'sent'])
    .where('day', '=', day)
    .execute();
  return new Map(rows.map((r) => [r.stock_id, Number(r.sent)]));
}

export function favorCouponsOfStock(db: Q, stockId: string, limit: number): Promise<FavorCouponRow[]> {
  return db
    .selectFrom('favor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .orderBy('create_ms', 'desc')
    .orderBy('coupon_id', 'desc')
    .limit(limit)
    .execute();
}

export function busifavorCouponsOfStock(db: Q, stockId: string, limit: number): Promise<BusifavorCouponRow[]> {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .orderBy('receive_ms', 'desc')
    .orderBy('coupon_code', 'desc')
    .limit(limit)
    .execute();
}

export function favorCouponsOfUser(db: Q, openid: string, appid: string): Promise<FavorCouponRow[]> {
  return db
    .selectFrom('favor_coupons')
    .selectAll()
    .where('openid', '=', openid)
    .where('appid', '=', appid)
    .orderBy('create_ms', 'desc')
    .limit(LIST_LIMIT)
    .execute();
}

export function busifavorCouponsOfUser(db: Q, openid: string, appid: string): Promise<BusifavorCouponRow[]> {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('openid', '=', openid)
    .where('appid', '=', appid)
    .orderBy('receive_ms', 'desc')
    .limit(LIST_LIMIT)
    .execute();
}

export function favorCoupon(db: Q, couponId: string): Promise<FavorCouponRow | undefined> {
  return db.selectFrom('favor_coupons').selectAll().where('coupon_id', '=', couponId).executeTakeFirst();
}

export function busifavorCoupon(db: Q, stockId: string, code: string): Promise<BusifavorCouponRow | undefined> {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .executeTakeFirst();
}

export async function readSetting(db: Q, name: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
}

/** Writes a setting unless one is there already (another instance may have written it first). */
export async function insertSettingIfAbsent(db: Q, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function hasCertificate(db: Q, mchid: string, serial: string): Promise<boolean> {
  const row = await db
    .selectFrom('merchant_certificates')
    .select('serial')
    .where('mchid', '=', mchid)
    .where('serial', '=', serial)
    .executeTakeFirst();
  return row !== undefined;
}

export async function addCertificate(
  db: Q,
  row: { serial: string; mchid: string; public_key_pem: string; certificate_pem: string; created_at: number },
): Promise<void> {
  await db
    .insertInto('merchant_certificates')
    .values(row)
    .onConflict((oc) => oc.column('serial').doNothing())
    .execute();
}
