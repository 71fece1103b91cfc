import { type Generated, type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import { type PreparedQuery, prepared } from '../../db/prepared.js';
import type { Database } from '../../db/schema.js';
import type { GroupCommitDriver, SyncStatements } from '../../db/sqlite-group-commit.js';
import { findUserQuery, insertUserQuery } from '../merchants/merchants.repository.js';
import { couponWindow } from './favor.window.js';

// Queries for the 代金券 tables. Every budget check is a conditional UPDATE whose row count says
// whether the issue fits, so concurrent sends (in one process or many) can never over-issue.

export interface FavorStockTable {
  stock_id: string;
  creator_mchid: string;
  out_request_no: string;
  request_hash: string;
  stock_name: string;
  comment: string | null;
  belong_merchant: string;
  status: string;
  stock_type: string;
  no_cash: number;
  available_begin_ms: number;
  available_end_ms: number;
  max_coupons: number;
  max_amount: number;
  max_amount_by_day: number | null;
  max_coupons_per_user: number;
  natural_person_limit: number;
  prevent_api_abuse: number;
  coupon_amount: number;
  transaction_minimum: number;
  distributed_coupons: number;
  distributed_amount: number;
  singleitem: number;
  rules_json: string;
  create_ms: number;
  start_ms: number | null;
  pause_ms: number | null;
  restart_ms: number | null;
  stop_ms: number | null;
  /** 1: 指定面额 (each send names coupon_value, and may name coupon_minimum); 0 by default. */
  specified_value: Generated<number>;
}

export interface FavorCouponTable {
  coupon_id: string;
  stock_id: string;
  creator_mchid: string;
  sender_mchid: string;
  out_request_no: string;
  request_hash: string;
  openid: string;
  appid: string;
  coupon_amount: number;
  transaction_minimum: number;
  status: string;
  create_ms: number;
  available_begin_ms: number;
  available_end_ms: number;
  consume_json: string | null;
}

declare module '../../db/schema.js' {
  interface Database {
    favor_stocks: FavorStockTable;
    favor_stock_senders: { stock_id: string; mchid: string };
    favor_user_counts: { stock_id: string; user_key: string; received: number };
    favor_daily_amounts: { stock_id: string; day: string; amount: number };
    favor_coupons: FavorCouponTable;
    favor_callbacks: { mchid: string; notify_url: string; enabled: number; update_ms: number };
    favor_budget_slices: { stock_id: string; holder: number; coupons_left: number; amount_left: number };
    favor_daily_slices: { stock_id: string; day: string; holder: number; amount_left: number };
  }
}

type Q = Kysely<Database>;
export type StockRow = Selectable<FavorStockTable>;
export type CouponRow = FavorCouponTable;

// On PostgreSQL a stock's budget is claimed in slices by the connections that send from it (migration
// 0016): its row's counters count what was claimed, and what the slices still hold is not yet issued.
// Every read of a stock subtracts it, so distributed_coupons / distributed_amount are exact whenever read.
// (SQLite never claims a slice; the subquery finds nothing there.)
const STOCK_COLUMNS = [
  'stock_id',
  'creator_mchid',
  'out_request_no',
  'request_hash',
  'stock_name',
  'comment',
  'belong_merchant',
  'status',
  'stock_type',
  'no_cash',
  'available_begin_ms',
  'available_end_ms',
  'max_coupons',
  'max_amount',
  'max_amount_by_day',
  'max_coupons_per_user',
  'natural_person_limit',
  'prevent_api_abuse',
  'coupon_amount',
  'transaction_minimum',
  'singleitem',
  'rules_json',
  'create_ms',
  'start_ms',
  'pause_ms',
  'restart_ms',
  'stop_ms',
  'specified_value',
] as const satisfies ReadonlyArray<Exclude<keyof FavorStockTable, 'distributed_coupons' | 'distributed_amount'>>;
// Every other column is listed (a column added to the table and not here fails to compile).
type Unlisted = Exclude<
  keyof FavorStockTable,
  (typeof STOCK_COLUMNS)[number] | 'distributed_coupons' | 'distributed_amount'
>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

function selectStocks(db: Q) {
  return db
    .selectFrom('favor_stocks')
    .select(STOCK_COLUMNS)
    .select([
      sql<number>`favor_stocks.distributed_coupons - cast(coalesce((select sum(b.coupons_left) from favor_budget_slices b where b.stock_id = favor_stocks.stock_id), 0) as bigint)`.as(
        'distributed_coupons',
      ),
      sql<number>`favor_stocks.distributed_amount - cast(coalesce((select sum(b.amount_left) from favor_budget_slices b where b.stock_id = favor_stocks.stock_id), 0) as bigint)`.as(
        'distributed_amount',
      ),
    ]);
}

const findStockQuery = prepared<{ stockId: string }, StockRow>((db, p) =>
  selectStocks(db).where('stock_id', '=', p('stockId')),
);

export async function findStock(db: Q, stockId: string): Promise<StockRow | undefined> {
  return (await findStockQuery(db, { stockId })).rows[0];
}

export function findStockByRequest(db: Q, mchid: string, outRequestNo: string) {
  return selectStocks(db)
    .where('creator_mchid', '=', mchid)
    .where('out_request_no', '=', outRequestNo)
    .executeTakeFirst();
}

export async function insertStock(db: Q, row: StockRow): Promise<void> {
  await db.insertInto('favor_stocks').values(row).execute();
}

/** Moves a stock from one status to another; false when it was not in `from`. */
export async function transitionStock(
  db: Q,
  stockId: string,
  from: readonly string[],
  set: Partial<Pick<StockRow, 'status' | 'start_ms' | 'pause_ms' | 'restart_ms' | 'stop_ms'>>,
): Promise<boolean> {
  const r = await db
    .updateTable('favor_stocks')
    .set(set)
    .where('stock_id', '=', stockId)
    .where('status', 'in', from)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

const canSendQuery = prepared<{ stockId: string; mchid: string }>((db, p) =>
  db
    .selectFrom('favor_stock_senders')
    .select('mchid')
    .where('stock_id', '=', p('stockId'))
    .where('mchid', '=', p('mchid')),
);

export async function canSend(db: Q, stockId: string, mchid: string): Promise<boolean> {
  return (await canSendQuery(db, { stockId, mchid })).rows.length > 0;
}

/** Turns 指定面额发券 on or off for a stock; false when there is no such stock. */
export async function setSpecifiedValue(db: Q, stockId: string, on: boolean): Promise<boolean> {
  const r = await db
    .updateTable('favor_stocks')
    .set({ specified_value: on ? 1 : 0 })
    .where('stock_id', '=', stockId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Whether any merchant besides the creator may send from the stock (cross-merchant issuing set up). */
const hasSendersQuery = prepared<{ stockId: string }>((db, p) =>
  db.selectFrom('favor_stock_senders').select('mchid').where('stock_id', '=', p('stockId')).limit(1),
);

export async function hasSenders(db: Q, stockId: string): Promise<boolean> {
  return (await hasSendersQuery(db, { stockId })).rows.length > 0;
}

export async function addSender(db: Q, stockId: string, mchid: string): Promise<void> {
  await db
    .insertInto('favor_stock_senders')
    .values({ stock_id: stockId, mchid })
    .onConflict((oc) => oc.columns(['stock_id', 'mchid']).doNothing())
    .execute();
}

/** Counts one more coupon for a user if under the per-user limit (one upsert that returns a row only then). */
const takeUserSlotQuery = prepared<{ stockId: string; userKey: string; limit: number }>((db, p) =>
  db
    .insertInto('favor_user_counts')
    .values({ stock_id: p('stockId'), user_key: p('userKey'), received: 1 })
    .onConflict((oc) =>
      oc
        .columns(['stock_id', 'user_key'])
        .doUpdateSet({ received: sql`favor_user_counts.received + 1` })
        .where('favor_user_counts.received', '<', p('limit')),
    )
    .returning('received'),
);

export async function takeUserSlot(db: Q, stockId: string, userKey: string, limit: number): Promise<boolean> {
  return (await takeUserSlotQuery(db, { stockId, userKey, limit })).rows.length > 0;
}

/** Counts one more coupon of `amount` against a running stock's totals, if both budgets allow. */
const takeStockBudgetQuery = prepared<{ stockId: string; amount: number }>((db, p) =>
  db
    .updateTable('favor_stocks')
    .set({
      distributed_coupons: sql`distributed_coupons + 1`,
      distributed_amount: sql`distributed_amount + ${p('amount')}`,
    })
    .where('stock_id', '=', p('stockId'))
    .where('status', '=', 'running')
    .whereRef('distributed_coupons', '<', 'max_coupons')
    .where(sql<boolean>`distributed_amount + ${p('amount')} <= max_amount`),
);

export async function takeStockBudget(db: Q, stockId: string, amount: number): Promise<boolean> {
  return ((await takeStockBudgetQuery(db, { stockId, amount })).numAffectedRows ?? 0n) > 0n;
}

/** Adds `amount` to a stock's total for one Beijing day if it stays within `limit` (a row comes back only then). */
const takeDailyBudgetQuery = prepared<{ stockId: string; day: string; amount: number; limit: number }>((db, p) =>
  db
    .insertInto('favor_daily_amounts')
    .values({ stock_id: p('stockId'), day: p('day'), amount: p('amount') })
    .onConflict((oc) =>
      oc
        .columns(['stock_id', 'day'])
        .doUpdateSet({ amount: sql`favor_daily_amounts.amount + ${p('amount')}` })
        .where(sql<boolean>`favor_daily_amounts.amount + ${p('amount')} <= ${p('limit')}`),
    )
    .returning('amount'),
);

/** Adds `amount` to a stock's total for one Beijing day if it stays within `limit`. */
export async function takeDailyBudget(
  db: Q,
  stockId: string,
  day: string,
  amount: number,
  limit: number,
): Promise<boolean> {
  if (amount > limit) return false;
  return (await takeDailyBudgetQuery(db, { stockId, day, amount, limit })).rows.length > 0;
}

const insertCouponQuery = prepared<CouponRow & Record<string, unknown>>((db, p) =>
  db.insertInto('favor_coupons').values({
    coupon_id: p('coupon_id'),
    stock_id: p('stock_id'),
    creator_mchid: p('creator_mchid'),
    sender_mchid: p('sender_mchid'),
    out_request_no: p('out_request_no'),
    request_hash: p('request_hash'),
    openid: p('openid'),
    appid: p('appid'),
    coupon_amount: p('coupon_amount'),
    transaction_minimum: p('transaction_minimum'),
    status: p('status'),
    create_ms: p('create_ms'),
    available_begin_ms: p('available_begin_ms'),
    available_end_ms: p('available_end_ms'),
    consume_json: p('consume_json'),
  }),
);

export async function insertCoupon(db: Q, row: CouponRow): Promise<void> {
  await insertCouponQuery(db, { ...row });
}

/** Why a send was refused, in the order the checks run. */
export type SendRefusal =
  | 'unknown_user'
  | 'no_stock'
  | 'wrong_creator'
  | 'not_a_sender'
  | 'not_shared'
  | 'specified_value'
  | 'not_running'
  | 'abnormal_user'
  | 'user_limit'
  | 'stock_budget'
  | 'day_budget';

/** The refusals that are about the caller's rights: answered before any replay of a request number. */
export const RIGHTS_REFUSALS: ReadonlySet<SendRefusal> = new Set([
  'unknown_user',
  'no_stock',
  'wrong_creator',
  'not_a_sender',
  'not_shared',
]);

// The SQLSTATEs wxcoupon_favor_send raises (migration 0011).
const REFUSALS: Record<string, SendRefusal> = {
  WX010: 'unknown_user',
  WX011: 'no_stock',
  WX014: 'wrong_creator',
  WX012: 'not_a_sender',
  WX015: 'not_shared',
  WX020: 'specified_value',
  WX002: 'not_running',
  WX013: 'abnormal_user',
  WX001: 'user_limit',
  WX003: 'stock_budget',
  WX004: 'day_budget',
};

/**
 * PostgreSQL only: a whole send of a stock with fixed values (a 指定面额 stock answers `specified_value`, for
 * the general path) (user, stock, sender and window checks, the per-user slot, the stock and day
 * budgets, the coupon, a new user's registration) in ONE call of the function of migration 0011, so the
 * stock row is locked only while it runs. Undefined when the coupon was issued; otherwise why not (nothing
 * was written). A request number used before throws the unique violation, as insertCoupon does.
 */
export async function sendInOneCall(db: Q, a: SendArgs): Promise<SendRefusal | undefined> {
  try {
    await sql`select wxcoupon_favor_send(${a.sender}, ${a.appid}, ${a.openid}, ${a.stockId}, ${a.creator},
      ${a.autoRegister}, ${a.couponId}, ${a.outRequestNo}, ${a.hash}, ${a.now}, ${a.day})`.execute(db);
    return undefined;
  } catch (err) {
    const refusal = REFUSALS[(err as { code?: string }).code ?? ''];
    if (refusal) return refusal;
    throw err;
  }
}

/** What a send in one step is given: who sends what to whom, the new coupon's id and request, and when. */
export interface SendArgs {
  sender: string;
  appid: string;
  openid: string;
  stockId: string;
  creator: string;
  autoRegister: boolean;
  couponId: string;
  outRequestNo: string;
  hash: string;
  now: number;
  day: string;
}

/** A refusal raised inside a one-step send, so that what the send wrote is undone with it. */
class Refused extends Error {
  constructor(readonly why: SendRefusal) {
    super(why);
  }
}

/** What a send reads of its stock: the columns its checks and its coupon need, not the whole row. */
const SEND_STOCK_COLUMNS = [
  'creator_mchid',
  'status',
  'available_begin_ms',
  'available_end_ms',
  'specified_value',
  'prevent_api_abuse',
  'natural_person_limit',
  'max_coupons_per_user',
  'max_amount_by_day',
  'coupon_amount',
  'transaction_minimum',
  'rules_json',
] as const;
const sendStockQuery = prepared<{ stockId: string }, Pick<StockRow, (typeof SEND_STOCK_COLUMNS)[number]>>((db, p) =>
  db.selectFrom('favor_stocks').select(SEND_STOCK_COLUMNS).where('stock_id', '=', p('stockId')),
);

/**
 * SQLite: the same whole send as {@link sendInOneCall} (a 指定面额 stock answers `specified_value`, for the
 * general path), as one transaction of the group-commit driver with no await between its statements, its
 * checks and writes in the order of the general path (FavorCoupons.authorizeSend, then issue) and with the same
 * prepared statements. Undefined when the coupon was issued; otherwise why not, with nothing written. A request
 * number used before throws the unique violation, as insertCoupon does.
 */
export async function sendInOneStep(driver: GroupCommitDriver, db: Q, a: SendArgs): Promise<SendRefusal | undefined> {
  try {
    await driver.atomically((run) => sendStatements(run, db, a));
    return undefined;
  } catch (err) {
    if (err instanceof Refused) return err.why;
    throw err;
  }
}

function sendStatements(run: SyncStatements, db: Q, a: SendArgs): void {
  const rows = <P extends Record<string, unknown>, R>(q: PreparedQuery<P, R>, params: P) =>
    run(q.compile(db, params)).rows;
  const changes = <P extends Record<string, unknown>>(q: PreparedQuery<P, unknown>, params: P) =>
    Number(run(q.compile(db, params)).numAffectedRows ?? 0n);
  const user = rows(findUserQuery, { appid: a.appid, openid: a.openid })[0];
  if (!user && !a.autoRegister) throw new Refused('unknown_user');
  const s = rows(sendStockQuery, { stockId: a.stockId })[0];
  if (!s) throw new Refused('no_stock');
  if (s.creator_mchid !== a.creator) throw new Refused('wrong_creator');
  if (s.creator_mchid !== a.sender && rows(canSendQuery, { stockId: a.stockId, mchid: a.sender }).length === 0) {
    throw new Refused(rows(hasSendersQuery, { stockId: a.stockId }).length > 0 ? 'not_a_sender' : 'not_shared');
  }
  if (s.specified_value === 1) throw new Refused('specified_value');
  if (s.status !== 'running' || a.now < s.available_begin_ms || a.now > s.available_end_ms) {
    throw new Refused('not_running');
  }
  if (s.prevent_api_abuse === 1 && user?.abnormal === 1) throw new Refused('abnormal_user');
  // userLimitKey (merchants.service.ts): per natural person when the stock asks and one is known.
  const userKey =
    s.natural_person_limit === 1 && user?.person_id ? `person:${user.person_id}` : `user:${a.appid}:${a.openid}`;
  if (!user) changes(insertUserQuery, { openid: a.openid, appid: a.appid, createdAt: a.now });
  if (rows(takeUserSlotQuery, { stockId: a.stockId, userKey, limit: s.max_coupons_per_user }).length === 0) {
    throw new Refused('user_limit');
  }
  const amount = s.coupon_amount;
  if (changes(takeStockBudgetQuery, { stockId: a.stockId, amount }) === 0) {
    const fresh = rows(sendStockQuery, { stockId: a.stockId })[0];
    throw new Refused(fresh?.status !== 'running' ? 'not_running' : 'stock_budget');
  }
  const limit = s.max_amount_by_day;
  if (
    limit !== null &&
    (amount > limit || rows(takeDailyBudgetQuery, { stockId: a.stockId, day: a.day, amount, limit }).length === 0)
  ) {
    throw new Refused('day_budget');
  }
  const coupon: CouponRow = {
    coupon_id: a.couponId,
    stock_id: a.stockId,
    creator_mchid: s.creator_mchid,
    sender_mchid: a.sender,
    out_request_no: a.outRequestNo,
    request_hash: a.hash,
    openid: a.openid,
    appid: a.appid,
    coupon_amount: amount,
    transaction_minimum: s.transaction_minimum,
    status: 'SENDED',
    create_ms: a.now,
    ...couponWindow(s, a.now),
    consume_json: null,
  };
  changes(insertCouponQuery, { ...coupon });
}

const findCouponByRequestQuery = prepared<
  { sender: string; outRequestNo: string },
  { coupon_id: string; request_hash: string }
>((db, p) =>
  db
    .selectFrom('favor_coupons')
    .select(['coupon_id', 'request_hash'])
    .where('sender_mchid', '=', p('sender'))
    .where('out_request_no', '=', p('outRequestNo')),
);

export async function findCouponByRequest(db: Q, senderMchid: string, outRequestNo: string) {
  return (await findCouponByRequestQuery(db, { sender: senderMchid, outRequestNo })).rows[0];
}

export function findCoupon(db: Q, couponId: string) {
  return db.selectFrom('favor_coupons').selectAll().where('coupon_id', '=', couponId).executeTakeFirst();
}

export function stocksOf(db: Q, stockIds: readonly string[]) {
  if (stockIds.length === 0) return Promise.resolve([] as StockRow[]);
  return selectStocks(db).where('stock_id', 'in', stockIds).execute();
}

// Read-only listings across merchants, for the web console.

export function recentStocks(db: Q, limit: number): Promise<StockRow[]> {
  return selectStocks(db).orderBy('create_ms', 'desc').limit(limit).execute();
}

export function couponsOfStock(db: Q, stockId: string, limit: number): Promise<CouponRow[]> {
  return db
    .selectFrom('favor_coupons')
    .selectAll()
    .where('stock_id', '=', stockId)
    .orderBy('create_ms', 'desc')
    .orderBy('coupon_id', 'desc')
    .limit(limit)
    .execute();
}

export function couponsOfUser(db: Q, openid: string, appid: string, limit: number): Promise<CouponRow[]> {
  return db
    .selectFrom('favor_coupons')
    .selectAll()
    .where('openid', '=', openid)
    .where('appid', '=', appid)
    .orderBy('create_ms', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Amount (分) issued on a Beijing day per stock; counted only for stocks with a day budget. Issued is what the
 * day's row claimed less what its day slices still hold (PostgreSQL claims day budgets in slices, migration 0017).
 */
export async function dailyAmounts(db: Q, day: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('favor_daily_amounts as d')
    .select([
      'd.stock_id',
      sql<number>`d.amount - cast(coalesce((select sum(b.amount_left) from favor_daily_slices b
        where b.stock_id = d.stock_id and b.day = d.day), 0) as bigint)`.as('amount'),
    ])
    .where('d.day', '=', day)
    .execute();
  return new Map(rows.map((r) => [r.stock_id, Number(r.amount)]));
}

/** A creator's stocks, newest first, created within the bounds given. */
export function stocksOfCreator(
  db: Q,
  creator: string,
  created: { from?: number | undefined; to?: number | undefined },
): Promise<StockRow[]> {
  let query = selectStocks(db).where('creator_mchid', '=', creator);
  if (created.from !== undefined) query = query.where('create_ms', '>=', created.from);
  if (created.to !== undefined) query = query.where('create_ms', '<=', created.to);
  return query.orderBy('create_ms', 'desc').orderBy('stock_id').execute();
}

/** A user's coupons under an appid, newest first, narrowed by the merchants and stock given. */
export function couponsOfHolder(
  db: Q,
  holder: { openid: string; appid: string },
  by: { creator?: string | undefined; sender?: string | undefined; stockId?: string | undefined },
): Promise<CouponRow[]> {
  let query = db
    .selectFrom('favor_coupons')
    .selectAll()
    .where('openid', '=', holder.openid)
    .where('appid', '=', holder.appid);
  if (by.creator) query = query.where('creator_mchid', '=', by.creator);
  if (by.sender) query = query.where('sender_mchid', '=', by.sender);
  if (by.stockId) query = query.where('stock_id', '=', by.stockId);
  return query.orderBy('create_ms', 'desc').orderBy('coupon_id').execute();
}

/** Marks a SENDED coupon used; false when it was not SENDED any more. */
export async function useCoupon(db: Q, couponId: string, consumeJson: string): Promise<boolean> {
  const r = await db
    .updateTable('favor_coupons')
    .set({ status: 'USED', consume_json: consumeJson })
    .where('coupon_id', '=', couponId)
    .where('status', '=', 'SENDED')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export type CallbackRow = Database['favor_callbacks'];

export async function upsertCallback(db: Q, row: CallbackRow): Promise<void> {
  const { mchid, ...change } = row;
  await db
    .insertInto('favor_callbacks')
    .values(row)
    .onConflict((oc) => oc.column('mchid').doUpdateSet(change))
    .execute();
}

export function findCallback(db: Q, mchid: string): Promise<CallbackRow | undefined> {
  return db.selectFrom('favor_callbacks').selectAll().where('mchid', '=', mchid).executeTakeFirst();
}

/** Everything issued undone (platform.reset): coupons and counts go, stocks stay with nothing distributed. */
export async function forgetIssued(db: Q): Promise<void> {
  await db.deleteFrom('favor_coupons').execute();
  await db.deleteFrom('favor_user_counts').execute();
  await db.deleteFrom('favor_daily_amounts').execute();
  await db.deleteFrom('favor_budget_slices').execute();
  await db.deleteFrom('favor_daily_slices').execute();
  await db.updateTable('favor_stocks').set({ distributed_coupons: 0, distributed_amount: 0 }).execute();
}

/**
 * PostgreSQL: gives back to their stocks the budget slices of connections that have closed or stayed idle for
 * `idleMs`, so that a stock's row counts what is issued or in use again (a send on such a connection later
 * just claims a new slice). Exact whenever it runs: the stock rows are locked first, as a send that claims a
 * slice locks them, then each slice is deleted and exactly what it still held at that moment is subtracted.
 * Returns how many slices went back.
 */
export async function returnIdleSlices(db: Kysely<Database>, idleMs: number): Promise<number> {
  // A backend of another role shows no state: it is taken as busy and its slices are left alone.
  const returnable = sql<boolean>`not exists (select 1 from pg_stat_activity a where a.pid = b.holder
    and (a.state is distinct from 'idle' or a.state_change > now() - make_interval(secs => ${idleMs / 1000})))`;
  const stocks = await returnIdleStockSlices(db, returnable);
  return stocks + (await returnIdleDaySlices(db, returnable));
}

function returnIdleStockSlices(db: Kysely<Database>, returnable: RawBuilder<boolean>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const stocks = await trx
      .selectFrom('favor_budget_slices as b')
      .select('b.stock_id')
      .distinct()
      .where(returnable)
      .execute();
    if (stocks.length === 0) return 0;
    const ids = stocks.map((r) => r.stock_id);
    await sql`select stock_id from favor_stocks where stock_id = any(${ids}) order by stock_id for no key update`.execute(
      trx,
    );
    const returned = await sql<{ slices: number }>`with gone as (
        delete from favor_budget_slices b where b.stock_id = any(${ids}) and ${returnable}
        returning b.stock_id, b.coupons_left, b.amount_left),
      per_stock as (
        select stock_id, count(*) as slices, sum(coupons_left) as coupons, sum(amount_left) as amount
        from gone group by stock_id),
      updated as (
        update favor_stocks f set distributed_coupons = f.distributed_coupons - p.coupons,
            distributed_amount = f.distributed_amount - p.amount
          from per_stock p where f.stock_id = p.stock_id returning p.slices)
      select cast(coalesce(sum(slices), 0) as int) as slices from updated`.execute(trx);
    return returned.rows[0]?.slices ?? 0;
  });
}

/**
 * The same for day budgets (migration 0017): each day row that an idle slice counts into is locked first, as
 * a send that claims a day slice locks it, then the slice is deleted and what it held subtracted from the day.
 */
function returnIdleDaySlices(db: Kysely<Database>, returnable: RawBuilder<boolean>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const days = await sql<{ k: string }>`select d.stock_id || ' ' || d.day as k from favor_daily_amounts d
      where exists (select 1 from favor_daily_slices b where b.stock_id = d.stock_id and b.day = d.day and ${returnable})
      order by d.stock_id, d.day for no key update`.execute(trx);
    if (days.rows.length === 0) return 0;
    const keys = days.rows.map((r) => r.k);
    const returned = await sql<{ slices: number }>`with gone as (
        delete from favor_daily_slices b where b.stock_id || ' ' || b.day = any(${keys}) and ${returnable}
        returning b.stock_id, b.day, b.amount_left),
      per_day as (
        select stock_id, day, count(*) as slices, sum(amount_left) as amount from gone group by stock_id, day),
      updated as (
        update favor_daily_amounts d set amount = d.amount - p.amount
          from per_day p where d.stock_id = p.stock_id and d.day = p.day returning p.slices)
      select cast(coalesce(sum(slices), 0) as int) as slices from updated`.execute(trx);
    return returned.rows[0]?.slices ?? 0;
  });
}

/** The used coupons of a stock in coupon order, as the use-flow file lists them. */
export function usedCoupons(db: Q, stockId: string) {
  return db
    .selectFrom('favor_coupons')
    .select(['coupon_id', 'coupon_amount', 'transaction_minimum', 'consume_json'])
    .where('stock_id', '=', stockId)
    .where('status', '=', 'USED')
    .orderBy('coupon_id')
    .execute();
}

const FLOW_SECRET_SETTING = 'favor.flow_link_secret';

/**
 * The key of the flow-file links, `candidate` stored first if none is: the first instance to ask
 * decides it, and every instance sharing the database signs with the same one.
 */
export async function flowLinkSecret(db: Q, candidate: string): Promise<string> {
  await db
    .insertInto('settings')
    .values({ name: FLOW_SECRET_SETTING, value: candidate })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const { value } = await db
    .selectFrom('settings')
    .select('value')
    .where('name', '=', FLOW_SECRET_SETTING)
    .executeTakeFirstOrThrow();
  return value;
}
