import { type Kysely, PostgresAdapter, sql } from 'kysely';
import * as previous from './0011_favor_send_pg.js';

// The 代金券 send function of migration 0011, with its writes reordered so that the stock row, which every
// send of a stock updates, is locked as late as possible: the user's registration, the per-user count and
// the coupon row (whose unique request number is the slowest check) come first, the stock's budget UPDATE
// and the day budget last. A send holds the stock row from that UPDATE to its commit, so sends of one stock
// from any number of instances queue only for the end of each other's call, not for its whole length.
// Checks and refusals are those of 0011, in the same order of precedence between refusals: a request number
// used before, found by its unique violation, is looked up by the service whatever else refused it.

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
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
      -- The coupon row first: the stock row, which every send of the stock updates, is locked last.
      insert into favor_coupons (coupon_id, stock_id, creator_mchid, sender_mchid, out_request_no, request_hash,
          openid, appid, coupon_amount, transaction_minimum, status, create_ms, available_begin_ms,
          available_end_ms, consume_json)
        values (p_coupon_id, p_stock_id, s.creator_mchid, p_sender, p_out_request_no, p_hash, p_openid, p_appid,
          s.coupon_amount, s.transaction_minimum, 'SENDED', p_now, v_begin, v_end, null);
      update favor_stocks set distributed_coupons = distributed_coupons + 1,
          distributed_amount = distributed_amount + s.coupon_amount
        where stock_id = p_stock_id and status = 'running'
          and distributed_coupons < max_coupons and distributed_amount + s.coupon_amount <= max_amount;
      if not found then
        if exists (select 1 from favor_stocks where stock_id = p_stock_id and status = 'running') then
          raise exception 'stock budget' using errcode = 'WX003';
        end if;
        raise exception 'stock not running' using errcode = 'WX002';
      end if;
      if s.max_amount_by_day is not null then
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
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // Back to 0011's order.
  await sql`drop function if exists wxcoupon_favor_send`.execute(db);
  await previous.up(db);
}
