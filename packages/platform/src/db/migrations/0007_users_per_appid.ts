import { type CreateTableBuilder, type Kysely, type RawBuilder, sql } from 'kysely';

// An openid identifies a user only within one appid: the same string under two appids is two users.
// Until now `users` was keyed by openid alone, so the first appid to use an openid kept it. This
// rebuilds the tables that key a user by openid so that (appid, openid) is the key:
// - `users`: primary key (appid, openid);
// - the per-user counters (max_coupons_per_user): a user's key becomes `user:<appid>:<openid>`
//   (was `openid:<openid>`), in a column wide enough for both parts; natural persons keep `person:…`;
// - `busifavor_coupons`: out_request_no is unique per stock and user ("需在单个批次单个用户下确保唯一性"),
//   so (stock_id, appid, openid, out_request_no);
// - the coupon indexes used to list a user's coupons lead with the appid.
//
// A table whose key changes is rebuilt: copied aside, dropped, created anew under its own name and
// constraint names (PostgreSQL keeps constraint names on a renamed table, so a rename would leave
// them behind), and filled from the copy. It runs in one transaction, so a failure leaves the old
// tables as they were. There is no way down: two users may now share an openid.

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.isTransaction) await migrate(db);
  else await db.transaction().execute((trx) => migrate(trx));
}

async function migrate(db: Kysely<unknown>): Promise<void> {
  // The counters first, while `users` still has one row per openid to find each counter's appid.
  // A counter of an openid without a user row (none is ever deleted) keeps its old key.
  const userKey = (table: string) =>
    sql<string>`case when substr(${sql.ref(`${table}_copy.user_key`)}, 1, 7) = 'openid:' then coalesce(
      (select 'user:' || u.appid || ':' || u.openid from users u
        where u.openid = substr(${sql.ref(`${table}_copy.user_key`)}, 8) order by u.created_at limit 1),
      ${sql.ref(`${table}_copy.user_key`)}) else ${sql.ref(`${table}_copy.user_key`)} end`;
  for (const [table, stocks] of [
    ['favor_user_counts', 'favor_stocks'],
    ['busifavor_user_counts', 'busifavor_stocks'],
  ] as const) {
    await rebuild(
      db,
      table,
      (t) =>
        t
          .addColumn('stock_id', 'varchar(20)', (c) => c.notNull().references(`${stocks}.stock_id`).onDelete('cascade'))
          .addColumn('user_key', 'varchar(300)', (c) => c.notNull())
          .addColumn('received', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pkey`, ['stock_id', 'user_key']),
      { stock_id: null, user_key: userKey(table), received: null },
    );
  }

  await rebuild(
    db,
    'users',
    (t) =>
      t
        .addColumn('appid', 'varchar(128)', (c) => c.notNull().references('appids.appid').onDelete('cascade'))
        .addColumn('openid', 'varchar(128)', (c) => c.notNull())
        .addColumn('person_id', 'varchar(64)')
        .addColumn('abnormal', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('users_pk', ['appid', 'openid']),
    { appid: null, openid: null, person_id: null, abnormal: null, created_at: null },
  );
  // The admin API may name a user by openid alone (unique or ambiguous); natural persons by person_id.
  await db.schema.createIndex('users_openid').on('users').column('openid').execute();
  await db.schema.createIndex('users_person').on('users').column('person_id').execute();

  await rebuild(
    db,
    'busifavor_coupons',
    (t) =>
      t
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
        .addPrimaryKeyConstraint('busifavor_coupons_pkey', ['stock_id', 'coupon_code'])
        .addUniqueConstraint('busifavor_coupons_user_request', ['stock_id', 'appid', 'openid', 'out_request_no']),
    Object.fromEntries(BUSIFAVOR_COUPON_COLUMNS.map((c) => [c, null])),
  );
  await db.schema
    .createIndex('busifavor_coupons_user')
    .on('busifavor_coupons')
    .columns(['appid', 'openid', 'receive_ms'])
    .execute();
  await db.schema.createIndex('busifavor_coupons_code').on('busifavor_coupons').column('coupon_code').execute();

  await db.schema.dropIndex('favor_coupons_openid').execute();
  await db.schema
    .createIndex('favor_coupons_user')
    .on('favor_coupons')
    .columns(['appid', 'openid', 'create_ms'])
    .execute();
}

const BUSIFAVOR_COUPON_COLUMNS = [
  'stock_id',
  'coupon_code',
  'creator_mchid',
  'belong_merchant',
  'sender_mchid',
  'openid',
  'appid',
  'out_request_no',
  'request_hash',
  'channel',
  'coupon_type',
  'member_card_id',
  'state',
  'receive_ms',
  'available_start_ms',
  'expire_ms',
  'use_request_no',
  'use_ms',
  'use_json',
  'associate_out_trade_no',
  'return_request_no',
  'return_ms',
  'deactivate_request_no',
  'deactivate_ms',
  'deactivate_reason',
];

/**
 * Replaces `table` by the one `define` describes, keeping its rows: each new column takes the old
 * column of its name (null) or the expression given, over the copy `<table>_copy`.
 */
async function rebuild(
  db: Kysely<unknown>,
  table: string,
  define: (t: CreateTableBuilder<string, never>) => CreateTableBuilder<string, string>,
  columns: Record<string, RawBuilder<unknown> | null>,
): Promise<void> {
  const copy = `${table}_copy`;
  await sql`create table ${sql.table(copy)} as select * from ${sql.table(table)}`.execute(db);
  await db.schema.dropTable(table).execute();
  await define(db.schema.createTable(table)).execute();
  const names = Object.keys(columns);
  const values = names.map((n) => columns[n] ?? sql.ref(`${copy}.${n}`));
  await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))}) select ${sql.join(values)} from ${sql.table(copy)}`.execute(
    db,
  );
  await db.schema.dropTable(copy).execute();
}
