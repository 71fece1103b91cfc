import type { Kysely } from 'kysely';

// The platform clock's offset from real time, one row shared by every instance on the database, so
// a moved clock holds for all of them and survives a restart. `version` counts changes, which lets an
// instance tell a change it has not seen yet from one it made itself.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platform_clock')
    .addColumn('id', 'varchar(16)', (c) => c.primaryKey())
    .addColumn('offset_ms', 'bigint', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('update_ms', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_clock').execute();
}
