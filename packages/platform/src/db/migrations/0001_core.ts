import type { Kysely } from 'kysely';

// Merchants, their API certificates and appids, users (openids), platform signing keys, settings.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('merchants')
    .addColumn('mchid', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_v3_key', 'text', (c) => c.notNull())
    .addColumn('api_v2_key', 'text', (c) => c.notNull())
    .addColumn('platform_key_mode', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('merchant_certificates')
    .addColumn('serial', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('mchid', 'varchar(32)', (c) => c.notNull().references('merchants.mchid').onDelete('cascade'))
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merchant_certificates_mchid').on('merchant_certificates').column('mchid').execute();
  await db.schema
    .createTable('appids')
    .addColumn('appid', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('merchant_appids')
    .addColumn('mchid', 'varchar(32)', (c) => c.notNull().references('merchants.mchid').onDelete('cascade'))
    .addColumn('appid', 'varchar(128)', (c) => c.notNull().references('appids.appid').onDelete('cascade'))
    .addPrimaryKeyConstraint('merchant_appids_pk', ['mchid', 'appid'])
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('openid', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('appid', 'varchar(128)', (c) => c.notNull().references('appids.appid').onDelete('cascade'))
    .addColumn('person_id', 'varchar(64)')
    .addColumn('abnormal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('platform_keys')
    .addColumn('key_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text')
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('not_after', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('settings')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'settings',
    'platform_keys',
    'users',
    'merchant_appids',
    'appids',
    'merchant_certificates',
    'merchants',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
