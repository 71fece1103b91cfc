import type { Kysely } from 'kysely';

// 代金券 (favor): stocks, coupons, and the counters that enforce budgets atomically. Counters live
// in their own rows so that a conditional `UPDATE … WHERE n < max` decides each issue in the same
// transaction that inserts the coupon.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('favor_stocks')
    .addColumn('stock_id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('creator_mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('out_request_no', 'varchar(128)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('stock_name', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('belong_merchant', 'varchar(32)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('stock_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('no_cash', 'integer', (c) => c.notNull())
    .addColumn('available_begin_ms', 'bigint', (c) => c.notNull())
    .addColumn('available_end_ms', 'bigint', (c) => c.notNull())
    .addColumn('max_coupons', 'bigint', (c) => c.notNull())
    .addColumn('max_amount', 'bigint', (c) => c.notNull())
    .addColumn('max_amount_by_day', 'bigint')
    .addColumn('max_coupons_per_user', 'integer', (c) => c.notNull())
    .addColumn('natural_person_limit', 'integer', (c) => c.notNull())
    .addColumn('prevent_api_abuse', 'integer', (c) => c.notNull())
    .addColumn('coupon_amount', 'bigint', (c) => c.notNull())
    .addColumn('transaction_minimum', 'bigint', (c) => c.notNull())
    .addColumn('distributed_coupons', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('distributed_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('singleitem', 'integer', (c) => c.notNull())
    .addColumn('rules_json', 'text', (c) => c.notNull())
    .addColumn('create_ms', 'bigint', (c) => c.notNull())
    .addColumn('start_ms', 'bigint')
    .addColumn('pause_ms', 'bigint')
    .addColumn('restart_ms', 'bigint')
    .addColumn('stop_ms', 'bigint')
    .addUniqueConstraint('favor_stocks_request', ['creator_mchid', 'out_request_no'])
    .execute();
  await db.schema
    .createIndex('favor_stocks_creator')
    .on('favor_stocks')
    .columns(['creator_mchid', 'create_ms'])
    .execute();
  await db.schema
    .createTable('favor_stock_senders')
    .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references('favor_stocks.stock_id').onDelete('cascade'))
    .addColumn('mchid', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('favor_stock_senders_pk', ['stock_id', 'mchid'])
    .execute();
  await db.schema
    .createTable('favor_user_counts')
    .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references('favor_stocks.stock_id').onDelete('cascade'))
    .addColumn('user_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('received', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('favor_user_counts_pk', ['stock_id', 'user_key'])
    .execute();
  await db.schema
    .createTable('favor_daily_amounts')
    .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references('favor_stocks.stock_id').onDelete('cascade'))
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('favor_daily_amounts_pk', ['stock_id', 'day'])
    .execute();
  await db.schema
    .createTable('favor_coupons')
    .addColumn('coupon_id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references('favor_stocks.stock_id').onDelete('cascade'))
    .addColumn('creator_mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('sender_mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('out_request_no', 'varchar(128)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('openid', 'varchar(128)', (c) => c.notNull())
    .addColumn('appid', 'varchar(128)', (c) => c.notNull())
    .addColumn('coupon_amount', 'bigint', (c) => c.notNull())
    .addColumn('transaction_minimum', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('create_ms', 'bigint', (c) => c.notNull())
    .addColumn('available_begin_ms', 'bigint', (c) => c.notNull())
    .addColumn('available_end_ms', 'bigint', (c) => c.notNull())
    .addColumn('consume_json', 'text')
    .addUniqueConstraint('favor_coupons_request', ['sender_mchid', 'out_request_no'])
    .execute();
  await db.schema.createIndex('favor_coupons_openid').on('favor_coupons').columns(['openid', 'create_ms']).execute();
  await db.schema.createIndex('favor_coupons_stock').on('favor_coupons').column('stock_id').execute();
  await db.schema
    .createTable('favor_callbacks')
    .addColumn('mchid', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('notify_url', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('update_ms', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'favor_callbacks',
    'favor_coupons',
    'favor_daily_amounts',
    'favor_user_counts',
    'favor_stock_senders',
    'favor_stocks',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
