import { type Kysely, PostgresAdapter, sql } from 'kysely';
import * as previous from './0015_favor_send_lock_last.js';

// 代金券 budgets claimed in slices, so that sends of one stock from many connections and instances do not
// all queue on the stock's row. Each database connection (one PostgreSQL backend) holds a slice of up to
// SLICE_COUPONS coupons of a stock in `favor_budget_slices`: the stock row's counters count what was claimed
// into slices, a send takes one coupon from its own connection's slice, and only every SLICE_COUPONS-th send
// of a connection locks the stock row, to claim the next slice. When the stock row has nothing left to claim,
// a send takes from any slice that still holds budget, so no budget is stranded in the slice of an idle or
// closed connection, and the last coupon of a stock is issued exactly as before.
//
// Exact at every moment: issued = the stock row's counters minus what the stock's slices still hold (the
// repository reads stocks that way), never more than max_coupons / max_amount, since a slice is claimed
// under the stock row's lock and within what is left. A refused send raises, which undoes its slice take
// with the rest of the call. Refusals and their precedence are 0015's. SQLite has one writer at a time and
// never claims a slice (its table stays empty), so both engines read stocks through the same formula.

/** The most coupons a connection claims from a stock row at once. */
export const SLICE_COUPONS = 16;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('favor_budget_slices')
    .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references('favor_stocks.stock_id').onDelete('cascade'))
    .addColumn('holder', 'integer', (c) => c.notNull())
    .addColumn('coupons_left', 'bigint', (c) => c.notNull())
    .addColumn('amount_left', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('favor_budget_slices_pk', ['stock_id', 'holder'])
    .execute();
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await createSendFunction(db, DAY_BUDGET_IN_ONE_ROW);
}

/** The day-budget step of the send function: its own variables, and its statements, run last. */
export interface DayBudgetStep {
  declare: string;
  body: string;
}

/** This migration's day budget: one row per stock and day, counted up by every send. */
export const DAY_BUDGET_IN_ONE_ROW: DayBudgetStep = {
  declare: '',
  body: `      if s.max_amount_by_day is not null then
        if s.coupon_amount > s.max_amount_by_day then
          raise exception 'day budget' using errcode = 'WX004';
        end if;
        insert into favor_daily_amounts as d (stock_id, day, amount) values (p_stock_id, p_day, s.coupon_amount)
          on conflict (stock_id, day) do update set amount = d.amount + s.coupon_amount
          where d.amount + s.coupon_amount <= s.max_amount_by_day;
        if not found then
          raise exception 'day budget' using errcode = 'WX004';
        end if;
      end if;
`,
};

/**
 * Creates (or replaces) the send function of this migration with `dayBudget` as its last step: a later
 * migration that changes only how the day budget is taken passes its own step.
 */
export async function createSendFunction(db: Kysely<unknown>, dayBudget: DayBudgetStep): Promise<void> {
  await sql`
    create or replace function wxcoupon_favor_send(
      p_sender text, p_appid text, p_openid text, p_stock_id text, p_creator text, p_auto_register boolean,
      p_coupon_id text, p_out_request_no text, p_hash text, p_now bigint, p_day text
    ) returns void language plpgsql as $fn$
    declare
      u record;
      s record;
      v_new_user boolean := false;
      v_key text;
      v_begin bigint;
      v_end bigint;
      v_local bigint;
      v_after bigint;
      v_rules jsonb;
      r record;
      v_n bigint;
      v_holder integer := pg_backend_pid();
      v_other integer;${sql.raw(dayBudget.declare)}
    begin
      select person_id, abnormal into u from users where appid = p_appid and openid = p_openid;
      if not found then
        if not p_auto_register then
          raise exception 'openid unknown under appid' using errcode = 'WX010';
        end if;
        v_new_user := true;
      end if;
      select * into s from favor_stocks where stock_id = p_stock_id;
      if not found then
        raise exception 'no such stock' using errcode = 'WX011';
      end if;
      if s.creator_mchid <> p_creator then
        raise exception 'another creator''s stock' using errcode = 'WX014';
      end if;
      if s.creator_mchid <> p_sender
          and not exists (select 1 from favor_stock_senders where stock_id = p_stock_id and mchid = p_sender) then
        if exists (select 1 from favor_stock_senders where stock_id = p_stock_id) then
          raise exception 'sender not allowed' using errcode = 'WX012';
        end if;
        raise exception 'stock not shared' using errcode = 'WX015';
      end if;
      if s.specified_value = 1 then
        raise exception 'specified value' using errcode = 'WX020';
      end if;
      if s.status <> 'running' or p_now < s.available_begin_ms or p_now > s.available_end_ms then
        raise exception 'stock not running' using errcode = 'WX002';
      end if;
      if s.prevent_api_abuse = 1 and not v_new_user and u.abnormal = 1 then
        raise exception 'abnormal user' using errcode = 'WX013';
      end if;
      -- userLimitKey (merchants.service.ts): per natural person when the stock asks and one is known.
      if s.natural_person_limit = 1 and not v_new_user and u.person_id is not null then
        v_key := 'person:' || u.person_id;
      else
        v_key := 'user:' || p_appid || ':' || p_openid;
      end if;
      -- FavorService.couponWindow: the stock's window, narrowed by coupon_available_time.
      v_rules := s.rules_json::jsonb -> 'coupon_available_time';
      v_begin := greatest(s.available_begin_ms, p_now);
      v_end := s.available_end_ms;
      if coalesce((v_rules ->> 'second_day_available')::boolean, false) then
        v_local := p_now + 28800000;
        v_begin := v_local - (v_local % 86400000) + 86400000 - 28800000;
      end if;
      v_after := nullif((v_rules ->> 'available_time_after_receive')::bigint, 0);
      if v_after is not null then
        v_end := least(v_end, v_begin + v_after * 60000);
      end if;
      v_end := greatest(v_end, v_begin);

      if v_new_user then
        insert into users (openid, appid, person_id, abnormal, created_at)
          values (p_openid, p_appid, null, 0, p_now)
          on conflict (appid, openid) do nothing;
      end if;
      insert into favor_user_counts as c (stock_id, user_key, received) values (p_stock_id, v_key, 1)
        on conflict (stock_id, user_key) do update set received = c.received + 1
        where c.received < s.max_coupons_per_user;
      if not found then
        raise exception 'per-user limit' using errcode = 'WX001';
      end if;
      insert into favor_coupons (coupon_id, stock_id, creator_mchid, sender_mchid, out_request_no, request_hash,
          openid, appid, coupon_amount, transaction_minimum, status, create_ms, available_begin_ms,
          available_end_ms, consume_json)
        values (p_coupon_id, p_stock_id, s.creator_mchid, p_sender, p_out_request_no, p_hash, p_openid, p_appid,
          s.coupon_amount, s.transaction_minimum, 'SENDED', p_now, v_begin, v_end, null);
      -- The budget: first from this connection's slice, else a new slice claimed from the stock row, else
      -- what any other connection's slice still holds (waiting for it if it is being used).
      update favor_budget_slices set coupons_left = coupons_left - 1, amount_left = amount_left - s.coupon_amount
        where stock_id = p_stock_id and holder = v_holder and coupons_left > 0 and amount_left >= s.coupon_amount;
      if not found then
        -- NO KEY UPDATE, as an UPDATE of the row would take: the coupon row inserted above holds a KEY SHARE
        -- lock on the stock row (its foreign key), and FOR UPDATE would wait on every other send's.
        select status, max_coupons - distributed_coupons as coupons, max_amount - distributed_amount as amount
          into r from favor_stocks where stock_id = p_stock_id for no key update;
        if r.status <> 'running' then
          raise exception 'stock not running' using errcode = 'WX002';
        end if;
        v_n := least(${sql.lit(SLICE_COUPONS)}, r.coupons, r.amount / greatest(s.coupon_amount, 1));
        if v_n >= 1 then
          update favor_stocks set distributed_coupons = distributed_coupons + v_n,
              distributed_amount = distributed_amount + v_n * s.coupon_amount
            where stock_id = p_stock_id;
          insert into favor_budget_slices as b (stock_id, holder, coupons_left, amount_left)
            values (p_stock_id, v_holder, v_n - 1, (v_n - 1) * s.coupon_amount)
            on conflict (stock_id, holder) do update
              set coupons_left = b.coupons_left + v_n - 1, amount_left = b.amount_left + (v_n - 1) * s.coupon_amount;
        else
          -- The lock skips a row that another send emptied meanwhile and goes on to the next one.
          select holder into v_other from favor_budget_slices
            where stock_id = p_stock_id and coupons_left > 0 and amount_left >= s.coupon_amount
            limit 1 for no key update;
          if not found then
            raise exception 'stock budget' using errcode = 'WX003';
          end if;
          update favor_budget_slices set coupons_left = coupons_left - 1, amount_left = amount_left - s.coupon_amount
            where stock_id = p_stock_id and holder = v_other;
        end if;
      end if;
${sql.raw(dayBudget.body)}    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Give the slices back to their stocks, then 0015's function.
    await sql`update favor_stocks f set distributed_coupons = f.distributed_coupons - b.coupons,
        distributed_amount = f.distributed_amount - b.amount
      from (select stock_id, sum(coupons_left) as coupons, sum(amount_left) as amount
            from favor_budget_slices group by stock_id) b
      where f.stock_id = b.stock_id`.execute(db);
    await sql`drop function if exists wxcoupon_favor_send`.execute(db);
    await previous.up(db);
  }
  await db.schema.dropTable('favor_budget_slices').execute();
}
