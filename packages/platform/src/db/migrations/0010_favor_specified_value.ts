import type { Kysely } from 'kysely';

// 指定面额发券: a 代金券 stock that takes each coupon's value (and threshold) from the send request.
// No public API creates such a stock, so it is a setting of the stock (admin API), off by default.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('favor_stocks')
    .addColumn('specified_value', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('favor_stocks').dropColumn('specified_value').execute();
}
