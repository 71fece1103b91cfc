import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { createSendFunction, DAY_BUDGET_IN_ONE_ROW, SLICE_COUPONS } from './0016_favor_budget_slices.js';

// 代金券 day budgets (max_amount_by_day) claimed in slices as 0016 claims the stock's budget, so that sends of a
// stock with a day budget do not all queue on its `favor_daily_amounts` row either. A connection (one
// PostgreSQL backend) holds, per stock and Beijing day, a slice of up to SLICE_COUPONS coupons' amount in
// `favor_daily_slices`; the day row's `amount` counts what was claimed into slices, a send takes its amount
// from its own connection's slice, and only every SLICE_COUPONS-th send of a connection locks the day row,
// to claim the next slice. When the day row has nothing left to claim, a send takes from any slice of that
// day that still holds enough, so the day's last coupon is issued exactly as before.
//
// Exact at every moment: issued on a day = the day row's amount minus what the day's slices still hold (the
// repository reads it that way), never more than max_amount_by_day, since a slice is claimed under the day
// row's lock and within what is left. Lock order, in every send: the stock row (0016's slice claim), then the
// day row, then another connection's day slice; returning idle slices locks day rows before their slices.
// Refusals and their precedence are unchanged. SQLite never claims a slice (its table stays empty).

const DAY_BUDGET_IN_SLICES = {
  declare: `
      v_day_left bigint;
      v_day_n bigint;
      v_day_other integer;`,
  body: `      if s.max_amount_by_day is not null then
        if s.coupon_amount > s.max_amount_by_day then
          raise exception 'day budget' using errcode = 'WX004';
        end if;
        update favor_daily_slices set amount_left = amount_left - s.coupon_amount
          where stock_id = p_stock_id and day = p_day and holder = v_holder and amount_left >= s.coupon_amount;
        if not found then
          insert into favor_daily_amounts (stock_id, day, amount) values (p_stock_id, p_day, 0)
            on conflict (stock_id, day) do nothing;
          select s.max_amount_by_day - amount into v_day_left from favor_daily_amounts
            where stock_id = p_stock_id and day = p_day for no key update;
          v_day_n := least(${SLICE_COUPONS}, v_day_left / greatest(s.coupon_amount, 1));
          if v_day_n >= 1 then
            update favor_daily_amounts set amount = amount + v_day_n * s.coupon_amount
              where stock_id = p_stock_id and day = p_day;
            insert into favor_daily_slices as b (stock_id, day, holder, amount_left)
              values (p_stock_id, p_day, v_holder, (v_day_n - 1) * s.coupon_amount)
              on conflict (stock_id, day, holder) do update
                set amount_left = b.amount_left + (v_day_n - 1) * s.coupon_amount;
          else
            -- The lock skips a row that another send emptied meanwhile and goes on to the next one.
            select holder into v_day_other from favor_daily_slices
              where stock_id = p_stock_id and day = p_day and amount_left >= s.coupon_amount
              limit 1 for no key update;
            if not found then
              raise exception 'day budget' using errcode = 'WX004';
            end if;
            update favor_daily_slices set amount_left = amount_left - s.coupon_amount
              where stock_id = p_stock_id and day = p_day and holder = v_day_other;
          end if;
        end if;
      end if;
`,
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('favor_daily_slices')
    .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references('favor_stocks.stock_id').onDelete('cascade'))
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('holder', 'integer', (c) => c.notNull())
    .addColumn('amount_left', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('favor_daily_slices_pk', ['stock_id', 'day', 'holder'])
    .execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await createSendFunction(db, DAY_BUDGET_IN_SLICES);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Give the slices back to their days, then 0016's function.
    await sql`update favor_daily_amounts d set amount = d.amount - b.amount
      from (select stock_id, day, sum(amount_left) as amount from favor_daily_slices group by stock_id, day) b
      where d.stock_id = b.stock_id and d.day = b.day`.execute(db);
    await createSendFunction(db, DAY_BUDGET_IN_ONE_ROW);
  }
  await db.schema.dropTable('favor_daily_slices').execute();
}
