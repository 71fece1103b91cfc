import type { Kysely } from 'kysely';

// The request journal: one row per API request, written in batches after the answers. Ids sort by
// arrival time (milliseconds first), so newest-first paging and both kinds of retention need only the
// key; the one other index finds a Request-ID. Every index costs each send a write, so there are no more.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_journal')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('time_ms', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('mchid', 'varchar(32)')
    .addColumn('method', 'varchar(16)', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('api', 'varchar(100)')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('code', 'varchar(64)')
    .addColumn('latency_ms', 'double precision', (c) => c.notNull())
    .addColumn('signature_verdict', 'varchar(16)', (c) => c.notNull())
    .addColumn('signature_reason', 'varchar(200)')
    .addColumn('signature_message', 'text')
    .addColumn('signature_explanation', 'text')
    .addColumn('fault', 'varchar(200)')
    .addColumn('request_headers', 'text', (c) => c.notNull())
    .addColumn('request_body', 'text')
    .addColumn('request_truncated', 'integer', (c) => c.notNull())
    .addColumn('response_headers', 'text', (c) => c.notNull())
    .addColumn('response_body', 'text')
    .addColumn('response_truncated', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_journal_request_id').on('request_journal').column('request_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('request_journal').execute();
}
