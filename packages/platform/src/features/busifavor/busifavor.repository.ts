import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.js';

// Queries for the 商家券 tables. Budgets are conditional UPDATEs whose row count decides; a code
// of the pre-uploaded pool changes hands only through `status = 'AVAILABLE'` in the WHERE clause,
// so two concurrent sends can never dispatch the same code (in one process or several).

export interface BusifavorStockTable {
  stock_id: string;
  creator_mchid: string;
  out_request_no: string;
  request_hash: string;
  belong_merchant: string;
  stock_name: string;
  stock_type: string;
  coupon_code_mode: string;
  stock_state: string;
  available_begin_ms: number;
  available_end_ms: number;
  max_coupons: number;
  max_coupons_by_day: number | null;
  max_coupons_per_user: number;
  natural_person_limit: number;
  prevent_api_abuse: number;
  distributed_coupons: number;
  uploaded_codes: number;
  /** Product information attached by the admin API: set means "a 商品券 stock" (B10 allowed). */
  product_json: string | null;
  /** The descriptive create fields as they are shown by B2 (rules, entrance, display, notify_config). */
  body_json: string;
  create_ms: number;
  update_ms: number;
}

export interface BusifavorCouponTable {
  stock_id: string;
  coupon_code: string;
  creator_mchid: string;
  belong_merchant: string;
  sender_mchid: string;
  openid: string;
  appid: string;
  out_request_no: string;
  request_hash: string;
  /** `API` (B9) or `PRODUCT` (B10). */
  channel: string;
  coupon_type: string | null;
  member_card_id: string | null;
  state: string;
  receive_ms: number;
  available_start_ms: number;
  expire_ms: number;
  use_request_no: string | null;
  use_ms: number | null;
  use_json: string | null;
  associate_out_trade_no: string | null;
  return_request_no: string | null;
  return_ms: number | null;
  deactivate_request_no: string | null;
  deactivate_ms: number | null;
  deactivate_reason: string | null;
}

export interface BusifavorCodeTable {
  stock_id: string;
  code: string;
  status: string;
  pick: number;
  upload_ms: number;
  dispatched_ms: number | null;
  openid: string | null;
}

export interface BusifavorRequestTable {
  mchid: string;
  kind: string;
  request_no: string;
  request_hash: string;
  response_json: string;
  create_ms: number;
}

declare module '../../db/schema.js' {
  interface Database {
    busifavor_stocks: BusifavorStockTable;
    busifavor_user_counts: { stock_id: string; user_key: string; received: number };
    busifavor_daily_counts: { stock_id: string; day: string; sent: number };
    busifavor_codes: BusifavorCodeTable;
    busifavor_coupons: BusifavorCouponTable;
    busifavor_requests: BusifavorRequestTable;
    busifavor_callbacks: { mchid: string; notify_url: string; update_ms: number };
  }
}

type Q = Kysely<Database>;
export type StockRow = BusifavorStockTable;
export type CouponRow = BusifavorCouponTable;
export type CodeRow = BusifavorCodeTable;

export const PICK_RANGE = 2 ** 31;

export function findStock(db: Q, stockId: string) {
  return db.selectFrom('busifavor_stocks').selectAll().where('stock_id', '=', stockId).executeTakeFirst();
}

/** Stocks a merchant created or that belong to it, newest first; with the total for paging. */
export async function listStocks(db: Q, mchid: string, offset: number, limit: number) {
  const mine = db
    .selectFrom('busifavor_stocks')
    .where((eb) => eb.or([eb('creator_mchid', '=', mchid), eb('belong_merchant', '=', mchid)]));
  const [rows, total] = await Promise.all([
    mine.selectAll().orderBy('create_ms', 'desc').orderBy('stock_id', 'desc').offset(offset).limit(limit).execute(),
    mine.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

export function findStockByRequest(db: Q, mchid: string, outRequestNo: string) {
  return db
    .selectFrom('busifavor_stocks')
    .selectAll()
    .where('creator_mchid', '=', mchid)
    .where('out_request_no', '=', outRequestNo)
    .executeTakeFirst();
}

export async function insertStock(db: Q, row: StockRow): Promise<void> {
  await db.insertInto('busifavor_stocks').values(row).execute();
}

/** Counts one more coupon for a user if under the per-user limit. */
export async function takeUserSlot(db: Q, stockId: string, userKey: string, limit: number): Promise<boolean> {
  await db
    .insertInto('busifavor_user_counts')
    .values({ stock_id: stockId, user_key: userKey, received: 0 })
    .onConflict((oc) => oc.columns(['stock_id', 'user_key']).doNothing())
    .execute();
  const r = await db
    .updateTable('busifavor_user_counts')
    .set({ received: sql`received + 1` })
    .where('stock_id', '=', stockId)
    .where('user_key', '=', userKey)
    .where('received', '<', limit)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Counts one more coupon against `max_coupons` (read in the same statement, so B4 changes apply at once). */
export async function takeStockBudget(db: Q, stockId: string): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_stocks')
    .set({ distributed_coupons: sql`distributed_coupons + 1` })
    .where('stock_id', '=', stockId)
    .whereRef('distributed_coupons', '<', 'max_coupons')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Counts one more coupon for a Beijing day if under the stock's current `max_coupons_by_day`. */
export async function takeDailyBudget(db: Q, stockId: string, day: string): Promise<boolean> {
  await db
    .insertInto('busifavor_daily_counts')
    .values({ stock_id: stockId, day, sent: 0 })
    .onConflict((oc) => oc.columns(['stock_id', 'day']).doNothing())
    .execute();
  const r = await db
    .updateTable('busifavor_daily_counts')
    .set({ sent: sql`sent + 1` })
    .where('stock_id', '=', stockId)
    .where('day', '=', day)
    .where(
      sql<boolean>`sent < (select s.max_coupons_by_day from busifavor_stocks s where s.stock_id = busifavor_daily_counts.stock_id)`,
    )
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function sentOn(db: Q, stockId: string, day: string): Promise<number> {
  const row = await db
    .selectFrom('busifavor_daily_counts')
    .select('sent')
    .where('stock_id', '=', stockId)
    .where('day', '=', day)
    .executeTakeFirst();
  return row ? Number(row.sent) : 0;
}

/**
 * Dispatches one AVAILABLE code of the pool to `openid`: the first at or after a random point of
 * the pick order (wrapping around), claimed by a conditional update. A code taken by a concurrent
 * send fails the condition and the next candidate is tried.
 */
export async function dispatchRandomCode(
  db: Q,
  stockId: string,
  openid: string,
  now: number,
): Promise<string | undefined> {
  const start = Math.floor(Math.random() * PICK_RANGE);
  for (const [op, dir] of [
    ['>=', 'asc'],
    ['<', 'desc'],
  ] as const) {
    for (let round = 0; round < 20; round++) {
      const candidates = await db
        .selectFrom('busifavor_codes')
        .select('code')
        .where('stock_id', '=', stockId)
        .where('status', '=', 'AVAILABLE')
        .where('pick', op, start)
        .orderBy('pick', dir)
        .limit(8)
        .execute();
      if (candidates.length === 0) break;
      for (const { code } of candidates) if (await dispatchCode(db, stockId, code, openid, now)) return code;
    }
  }
  return undefined;
}

/** Dispatches one named code if it is still AVAILABLE. */
export async function dispatchCode(
  db: Q,
  stockId: string,
  code: string,
  openid: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_codes')
    .set({ status: 'DISPATCHED', dispatched_ms: now, openid })
    .where('stock_id', '=', stockId)
    .where('code', '=', code)
    .where('status', '=', 'AVAILABLE')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function insertCoupon(db: Q, row: CouponRow): Promise<void> {
  await db.insertInto('busifavor_coupons').values(row).execute();
}

export function findCouponByRequest(db: Q, stockId: string, appid: string, openid: string, outRequestNo: string) {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .where('appid', '=', appid)
    .where('openid', '=', openid)
    .where('out_request_no', '=', outRequestNo)
    .executeTakeFirst();
}

export function findCoupon(db: Q, stockId: string, code: string) {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .executeTakeFirst();
}

export function couponsByCode(db: Q, code: string) {
  return db.selectFrom('busifavor_coupons').selectAll().where('coupon_code', '=', code).execute();
}

export function stocksOf(db: Q, stockIds: readonly string[]) {
  if (stockIds.length === 0) return Promise.resolve([] as StockRow[]);
  return db.selectFrom('busifavor_stocks').selectAll().where('stock_id', 'in', stockIds).execute();
}

export function findRequest(db: Q, mchid: string, kind: string, requestNo: string) {
  return db
    .selectFrom('busifavor_requests')
    .selectAll()
    .where('mchid', '=', mchid)
    .where('kind', '=', kind)
    .where('request_no', '=', requestNo)
    .executeTakeFirst();
}

export async function insertRequest(
  db: Q,
  row: {
    mchid: string;
    kind: string;
    request_no: string;
    request_hash: string;
    response_json: string;
    create_ms: number;
  },
): Promise<void> {
  await db.insertInto('busifavor_requests').values(row).execute();
}

export function findCode(db: Q, stockId: string, code: string) {
  return db
    .selectFrom('busifavor_codes')
    .selectAll()
    .where('stock_id', '=', stockId)
    .where('code', '=', code)
    .executeTakeFirst();
}

/** Adds one code to a stock's pool; false when the stock holds it already. */
export async function insertCode(db: Q, row: CodeRow): Promise<boolean> {
  const r = await db
    .insertInto('busifavor_codes')
    .values(row)
    .onConflict((oc) => oc.columns(['stock_id', 'code']).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Counts `n` more uploaded codes if the pool stays within `max_coupons`. */
export async function growUploaded(db: Q, stockId: string, n: number): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_stocks')
    .set((eb) => ({ uploaded_codes: eb('uploaded_codes', '+', n) }))
    .where('stock_id', '=', stockId)
    .where((eb) => eb(eb('uploaded_codes', '+', n), '<=', eb.ref('max_coupons')))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** One page of a stock's codes in upload order, with the total for paging. */
export async function codesPage(
  db: Q,
  stockId: string,
  q: { offset: number; limit: number; status?: string },
): Promise<{ rows: CodeRow[]; total: number }> {
  let base = db.selectFrom('busifavor_codes').where('stock_id', '=', stockId);
  if (q.status) base = base.where('status', '=', q.status);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await base.selectAll().orderBy('upload_ms').orderBy('code').limit(q.limit).offset(q.offset).execute();
  return { rows, total: Number(total?.n ?? 0) };
}

/** Takes a code out of the pool, and out of the stock's upload count, while it is AVAILABLE. */
export async function removeAvailableCode(db: Q, stockId: string, code: string): Promise<boolean> {
  const r = await db
    .deleteFrom('busifavor_codes')
    .where('stock_id', '=', stockId)
    .where('code', '=', code)
    .where('status', '=', 'AVAILABLE')
    .executeTakeFirst();
  if (r.numDeletedRows === 0n) return false;
  await db
    .updateTable('busifavor_stocks')
    .set((eb) => ({ uploaded_codes: eb('uploaded_codes', '-', 1) }))
    .where('stock_id', '=', stockId)
    .execute();
  return true;
}

// Coupon transitions: each is one UPDATE conditioned on the state it leaves, so of two concurrent
// requests on one coupon only one finds the row; false when the coupon was not in that state.

/** SENDED → USED, only inside the coupon's validity. */
export async function useCoupon(
  db: Q,
  stockId: string,
  code: string,
  use: { requestNo: string; json: string },
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_coupons')
    .set({ state: 'USED', use_request_no: use.requestNo, use_ms: now, use_json: use.json })
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .where('state', '=', 'SENDED')
    .where('expire_ms', '>=', now)
    .where('available_start_ms', '<=', now)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** USED → SENDED, the redemption forgotten. */
export async function returnCoupon(
  db: Q,
  stockId: string,
  code: string,
  requestNo: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_coupons')
    .set({
      state: 'SENDED',
      return_request_no: requestNo,
      return_ms: now,
      use_request_no: null,
      use_ms: null,
      use_json: null,
    })
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .where('state', '=', 'USED')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** SENDED → DEACTIVATED, before expiry. */
export async function deactivateCoupon(
  db: Q,
  stockId: string,
  code: string,
  change: { requestNo: string; reason: string | null },
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_coupons')
    .set({
      state: 'DEACTIVATED',
      deactivate_request_no: change.requestNo,
      deactivate_ms: now,
      deactivate_reason: change.reason,
    })
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .where('state', '=', 'SENDED')
    .where('expire_ms', '>=', now)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** SENDED → DELETED. */
export async function deleteUnusedCoupon(db: Q, stockId: string, code: string): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_coupons')
    .set({ state: 'DELETED' })
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .where('state', '=', 'SENDED')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Links `outTradeNo` to an unexpired SENDED coupon linked to nothing else (or to it already), or
 * unlinks it from a coupon linked to exactly it.
 */
export async function associateOrder(
  db: Q,
  stockId: string,
  code: string,
  change: { outTradeNo: string; link: boolean },
  now: number,
): Promise<boolean> {
  let q = db
    .updateTable('busifavor_coupons')
    .set({ associate_out_trade_no: change.link ? change.outTradeNo : null })
    .where('stock_id', '=', stockId)
    .where('coupon_code', '=', code)
    .where('state', '=', 'SENDED')
    .where('expire_ms', '>=', now);
  q = change.link
    ? q.where((eb) =>
        eb.or([eb('associate_out_trade_no', 'is', null), eb('associate_out_trade_no', '=', change.outTradeNo)]),
      )
    : q.where('associate_out_trade_no', '=', change.outTradeNo);
  const r = await q.executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** A user's coupons under one appid, newest first, narrowed by the merchant roles and stock given. */
export function userCoupons(
  db: Q,
  q: { openid: string; appid: string; creator?: string; belong?: string; sender?: string; stockId?: string },
): Promise<CouponRow[]> {
  let query = db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('openid', '=', q.openid)
    .where('appid', '=', q.appid);
  if (q.creator) query = query.where('creator_mchid', '=', q.creator);
  if (q.belong) query = query.where('belong_merchant', '=', q.belong);
  if (q.sender) query = query.where('sender_mchid', '=', q.sender);
  if (q.stockId) query = query.where('stock_id', '=', q.stockId);
  return query.orderBy('receive_ms', 'desc').orderBy('coupon_code').execute();
}

// Read-only listings across merchants, for the web console.

export function recentStocks(db: Q, limit: number): Promise<StockRow[]> {
  return db.selectFrom('busifavor_stocks').selectAll().orderBy('create_ms', 'desc').limit(limit).execute();
}

export function couponsOfStock(db: Q, stockId: string, limit: number): Promise<CouponRow[]> {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .orderBy('receive_ms', 'desc')
    .orderBy('coupon_code', 'desc')
    .limit(limit)
    .execute();
}

export function couponsOfUser(db: Q, openid: string, appid: string, limit: number): Promise<CouponRow[]> {
  return db
    .selectFrom('busifavor_coupons')
    .selectAll()
    .where('openid', '=', openid)
    .where('appid', '=', appid)
    .orderBy('receive_ms', 'desc')
    .limit(limit)
    .execute();
}

/** Coupons issued on a Beijing day per stock; counted only for stocks with a day budget. */
export async function dailyCounts(db: Q, day: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('busifavor_daily_counts')
    .select(['stock_id', 'sent'])
    .where('day', '=', day)
    .execute();
  return new Map(rows.map((r) => [r.stock_id, Number(r.sent)]));
}

/** How many uploaded codes of a stock are still to be dispatched. */
export async function availableCodeCount(db: Q, stockId: string): Promise<number> {
  const r = await db
    .selectFrom('busifavor_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('stock_id', '=', stockId)
    .where('status', '=', 'AVAILABLE')
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function updateStockBody(
  db: Q,
  stockId: string,
  change: Partial<Pick<StockRow, 'body_json' | 'prevent_api_abuse'>> & { update_ms: number },
): Promise<void> {
  await db.updateTable('busifavor_stocks').set(change).where('stock_id', '=', stockId).execute();
}

/**
 * Moves one budget limit from `current` to `target` while it still is `current` and the new limit stays
 * consistent (a total never under what was issued, a day limit never over the total); false otherwise.
 */
export async function changeBudget(
  db: Q,
  stockId: string,
  change: { field: 'max_coupons' | 'max_coupons_by_day'; current: number; target: number },
  now: number,
): Promise<boolean> {
  let query = db.updateTable('busifavor_stocks').where('stock_id', '=', stockId);
  if (change.field === 'max_coupons') {
    query = query
      .set({ max_coupons: change.target, update_ms: now })
      .where('max_coupons', '=', change.current)
      .where('distributed_coupons', '<=', change.target);
  } else {
    query = query
      .set({ max_coupons_by_day: change.target, update_ms: now })
      .where('max_coupons_by_day', '=', change.current)
      .where('max_coupons', '>=', change.target);
  }
  const r = await query.executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Sets or clears a stock's product information; false when there is no such stock. */
export async function setProduct(db: Q, stockId: string, productJson: string | null, now: number): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_stocks')
    .set({ product_json: productJson, update_ms: now })
    .where('stock_id', '=', stockId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Moves a stock to `state` from one of `from`; false when it was in none of them. */
export async function transitionStock(
  db: Q,
  stockId: string,
  from: readonly string[],
  state: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('busifavor_stocks')
    .set({ stock_state: state, update_ms: now })
    .where('stock_id', '=', stockId)
    .where('stock_state', 'in', from)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export type CallbackRow = Database['busifavor_callbacks'];

export async function upsertCallback(db: Q, row: CallbackRow): Promise<void> {
  const { mchid, ...change } = row;
  await db
    .insertInto('busifavor_callbacks')
    .values(row)
    .onConflict((oc) => oc.column('mchid').doUpdateSet(change))
    .execute();
}

export function findCallback(db: Q, mchid: string): Promise<CallbackRow | undefined> {
  return db.selectFrom('busifavor_callbacks').selectAll().where('mchid', '=', mchid).executeTakeFirst();
}

/** Everything issued undone (platform.reset): coupons, counts and issuing replays go; stocks and codes stay. */
export async function forgetIssued(db: Q): Promise<void> {
  await db.deleteFrom('busifavor_coupons').execute();
  await db.deleteFrom('busifavor_user_counts').execute();
  await db.deleteFrom('busifavor_daily_counts').execute();
  await db.deleteFrom('busifavor_requests').where('kind', '!=', 'modify').execute();
  await db
    .updateTable('busifavor_codes')
    .set({ status: 'AVAILABLE', dispatched_ms: null, openid: null })
    .where('status', '=', 'DISPATCHED')
    .execute();
  await db.updateTable('busifavor_stocks').set({ distributed_coupons: 0 }).execute();
}
