import { type Kysely, PostgresAdapter, sql } from 'kysely';

// On PostgreSQL a 代金券 send's writes are one function call instead of a transaction of four or five
// statements. In a transaction each statement is a round trip to the database, and the stock row stays
// locked from its budget UPDATE until the COMMIT arrives: with a network between the platform and the
// database, every send of a stock then waits out the round trips of the one before it. Inside one call the
// row is locked only while the function runs. The function takes the same counters in the same order as the
// SQLite path (favor.repository.ts, takeUserSlot … insertCoupon) and raises on the first one that does not
// fit, which undoes the whole call (the user registration included), so a refused send writes nothing.
// Raised SQLSTATEs (class WX, not used by PostgreSQL): WX001 per-user limit, WX002 stock not running,
// WX003 stock budget spent, WX004 day budget spent. A request number used before raises 23505 from the
// coupon's unique constraint, as the transaction does.

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create function wxcoupon_favor_issue(
      p_stock_id text, p_user_key text, p_per_user integer, p_amount bigint,
      p_day text, p_day_limit bigint, p_register boolean, p_appid text, p_openid text,
      p_coupon_id text, p_creator text, p_sender text, p_out_request_no text, p_hash text,
      p_transaction_minimum bigint, p_now bigint, p_begin bigint, p_end bigint
    ) returns void language plpgsql as $fn$
    begin
      if p_register then
        insert into users (openid, appid, person_id, abnormal, created_at)
          values (p_openid, p_appid, null, 0, p_now)
          on conflict (appid, openid) do nothing;
      end if;
      insert into favor_user_counts as c (stock_id, user_key, received) values (p_stock_id, p_user_key, 1)
        on conflict (stock_id, user_key) do update set received = c.received + 1 where c.received < p_per_user;
      if not found then
        raise exception 'per-user limit' using errcode = 'WX001';
      end if;
      update favor_stocks set distributed_coupons = distributed_coupons + 1,
          distributed_amount = distributed_amount + p_amount
        where stock_id = p_stock_id and status = 'running'
          and distributed_coupons < max_coupons and distributed_amount + p_amount <= max_amount;
      if not found then
        if exists (select 1 from favor_stocks where stock_id = p_stock_id and status = 'running') then
          raise exception 'stock budget' using errcode = 'WX003';
        end if;
        raise exception 'stock not running' using errcode = 'WX002';
      end if;
      if p_day_limit is not null then
        if p_amount > p_day_limit then
          raise exception 'day budget' using errcode = 'WX004';
        end if;
        insert into favor_daily_amounts as d (stock_id, day, amount) values (p_stock_id, p_day, p_amount)
          on conflict (stock_id, day) do update set amount = d.amount + p_amount
          where d.amount + p_amount <= p_day_limit;
        if not found then
          raise exception 'day budget' using errcode = 'WX004';
        end if;
      end if;
      insert into favor_coupons (coupon_id, stock_id, creator_mchid, sender_mchid, out_request_no, request_hash,
          openid, appid, coupon_amount, transaction_minimum, status, create_ms, available_begin_ms,
          available_end_ms, consume_json)
        values (p_coupon_id, p_stock_id, p_creator, p_sender, p_out_request_no, p_hash, p_openid, p_appid,
          p_amount, p_transaction_minimum, 'SENDED', p_now, p_begin, p_end, null);
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`drop function if exists wxcoupon_favor_issue`.execute(db);
}
