import type { Kysely } from 'kysely';

// The notification outbox: one row per event, written in the transaction that caused it, and one
// row per delivery attempt. A worker claims a due row with a lease (claimed_by/lease_until set by a
// conditional update), so several instances on one database never deliver the same attempt twice.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notify_outbox')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('mchid', 'varchar(32)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('notify_url', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', 'bigint', (c) => c.notNull())
    .addColumn('claimed_by', 'varchar(64)')
    .addColumn('lease_until', 'bigint')
    .addColumn('create_ms', 'bigint', (c) => c.notNull())
    .addColumn('delivered_ms', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('notify_outbox_due').on('notify_outbox').columns(['status', 'next_attempt_ms']).execute();
  await db.schema
    .createTable('notify_attempts')
    .addColumn('notification_id', 'varchar(36)', (c) => c.notNull().references('notify_outbox.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('start_ms', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('instance', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('notify_attempts_pk', ['notification_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notify_attempts').execute();
  await db.schema.dropTable('notify_outbox').execute();
}
