import type { Kysely } from 'kysely';

// APIv2 business failures with decimal err_codes (the official samples' `268456007`): a merchant setting,
// off by default, so integrators can test code that meets either form.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('merchants')
    .addColumn('v2_decimal_err_code', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').dropColumn('v2_decimal_err_code').execute();
}
