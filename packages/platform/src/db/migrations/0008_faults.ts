import type { Kysely } from 'kysely';

// Fault rules, shared by every instance on the database. `fired` is counted up with a conditional
// UPDATE, so `times` holds across instances and concurrent requests; `matched` numbers the requests
// a probabilistic rule has decided on, which makes its seeded sequence the same wherever it runs.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fault_rules')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('api', 'varchar(100)')
    .addColumn('mchid', 'varchar(32)')
    .addColumn('stock_id', 'varchar(64)')
    .addColumn('openid', 'varchar(128)')
    .addColumn('out_request_no', 'varchar(128)')
    .addColumn('action', 'varchar(32)', (c) => c.notNull())
    .addColumn('error_code', 'varchar(64)')
    .addColumn('latency_ms', 'bigint')
    .addColumn('times', 'bigint')
    .addColumn('probability', 'double precision')
    .addColumn('seed', 'bigint')
    .addColumn('matched', 'bigint', (c) => c.notNull())
    .addColumn('fired', 'bigint', (c) => c.notNull())
    .addColumn('create_ms', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fault_rules').execute();
}
