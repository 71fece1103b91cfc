import type { Kysely } from 'kysely';

// 商家券 (busifavor): stocks, pre-uploaded codes, coupons, the counters that enforce budgets with
// conditional updates, a request log that makes every other request number idempotent, and the
// event notification URL. Unique constraints, not reads, decide every race.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('busifavor_stocks')
    .addColumn('stock_id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('creator_mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('out_request_no', 'varchar(128)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('belong_merchant', 'varchar(32)', (c) => c.notNull())
    .addColumn('stock_name', 'text', (c) => c.notNull())
    .addColumn('stock_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('coupon_code_mode', 'varchar(16)', (c) => c.notNull())
    .addColumn('stock_state', 'varchar(16)', (c) => c.notNull())
    .addColumn('available_begin_ms', 'bigint', (c) => c.notNull())
    .addColumn('available_end_ms', 'bigint', (c) => c.notNull())
    .addColumn('max_coupons', 'bigint', (c) => c.notNull())
    .addColumn('max_coupons_by_day', 'bigint')
    .addColumn('max_coupons_per_user', 'integer', (c) => c.notNull())
    .addColumn('natural_person_limit', 'integer', (c) => c.notNull())
    .addColumn('prevent_api_abuse', 'integer', (c) => c.notNull())
    .addColumn('distributed_coupons', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('uploaded_codes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('product_json', 'text')
    .addColumn('body_json', 'text', (c) => c.notNull())
    .addColumn('create_ms', 'bigint', (c) => c.notNull())
    .addColumn('update_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('busifavor_stocks_request', ['creator_mchid', 'out_request_no'])
    .execute();
  await db.schema
    .createTable('busifavor_user_counts')
    .addColumn('stock_id', 'varchar(20)', (c) =>
      c.notNull().references('busifavor_stocks.stock_id').onDelete('cascade'),
    )
    .addColumn('user_key', 'varchar(160)', (c) => c.notNull())
    .addColumn('received', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('busifavor_user_counts_pk', ['stock_id', 'user_key'])
    .execute();
  await db.schema
    .createTable('busifavor_daily_counts')
    .addColumn('stock_id', 'varchar(20)', (c) =>
      c.notNull().references('busifavor_stocks.stock_id').onDelete('cascade'),
    )
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('sent', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('busifavor_daily_counts_pk', ['stock_id', 'day'])
    .execute();
  await db.schema
    .createTable('busifavor_codes')
    .addColumn('stock_id', 'varchar(20)', (c) =>
      c.notNull().references('busifavor_stocks.stock_id').onDelete('cascade'),
    )
    .addColumn('code', 'varchar(32)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    // A random key fixed at upload: "the first AVAILABLE code at or after a random point" is a
    // uniform-enough random pick that an index answers without scanning the pool.
    .addColumn('pick', 'bigint', (c) => c.notNull())
    .addColumn('upload_ms', 'bigint', (c) => c.notNull())
    .addColumn('dispatched_ms', 'bigint')
    .addColumn('openid', 'varchar(128)')
    .addPrimaryKeyConstraint('busifavor_codes_pk', ['stock_id', 'code'])
    .execute();
  await db.schema
    .createIndex('busifavor_codes_pick')
    .on('busifavor_codes')
    .columns(['stock_id', 'status', 'pick'])
    .execute();
  await db.schema
    .createTable('busifavor_coupons')
    .addColumn('stock_id', 'varchar(20)', (c) =>
      c.notNull().references('busifavor_stocks.stock_id').onDelete('cascade'),
    )
    .addColumn('coupon_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('creator_mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('belong_merchant', 'varchar(32)', (c) => c.notNull())
    .addColumn('sender_mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('openid', 'varchar(128)', (c) => c.notNull())
    .addColumn('appid', 'varchar(128)', (c) => c.notNull())
    .addColumn('out_request_no', 'varchar(128)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('coupon_type', 'varchar(16)')
    .addColumn('member_card_id', 'varchar(64)')
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('receive_ms', 'bigint', (c) => c.notNull())
    .addColumn('available_start_ms', 'bigint', (c) => c.notNull())
    .addColumn('expire_ms', 'bigint', (c) => c.notNull())
    .addColumn('use_request_no', 'varchar(128)')
    .addColumn('use_ms', 'bigint')
    .addColumn('use_json', 'text')
    .addColumn('associate_out_trade_no', 'varchar(128)')
    .addColumn('return_request_no', 'varchar(128)')
    .addColumn('return_ms', 'bigint')
    .addColumn('deactivate_request_no', 'varchar(128)')
    .addColumn('deactivate_ms', 'bigint')
    .addColumn('deactivate_reason', 'text')
    .addPrimaryKeyConstraint('busifavor_coupons_pk', ['stock_id', 'coupon_code'])
    .addUniqueConstraint('busifavor_coupons_request', ['stock_id', 'openid', 'out_request_no'])
    .execute();
  await db.schema
    .createIndex('busifavor_coupons_openid')
    .on('busifavor_coupons')
    .columns(['openid', 'receive_ms'])
    .execute();
  await db.schema.createIndex('busifavor_coupons_code').on('busifavor_coupons').column('coupon_code').execute();
  await db.schema
    .createTable('busifavor_requests')
    .addColumn('mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('request_no', 'varchar(128)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('response_json', 'text', (c) => c.notNull())
    .addColumn('create_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('busifavor_requests_pk', ['mchid', 'kind', 'request_no'])
    .execute();
  await db.schema
    .createTable('busifavor_callbacks')
    .addColumn('mchid', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('notify_url', 'text', (c) => c.notNull())
    .addColumn('update_ms', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'busifavor_callbacks',
    'busifavor_requests',
    'busifavor_coupons',
    'busifavor_codes',
    'busifavor_daily_counts',
    'busifavor_user_counts',
    'busifavor_stocks',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
