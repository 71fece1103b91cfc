import type { Db } from '../db/database.js';

// Queries for the demo record, kept as JSON in the shared `settings` table so that every instance on
// one database hands out the same demo merchant.

const SETTING = 'demo.credentials';

export async function readDemoRecord(db: Db): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', SETTING).executeTakeFirst())?.value;
}

/** Stores the record unless one exists: of instances provisioning together, the first one's stays. */
export async function addDemoRecord(db: Db, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name: SETTING, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}
