import type { Db } from '../db/database.js';

// Queries for the local CA and server certificate, kept as JSON in the shared `settings` table.

export async function readTlsSetting(db: Db, name: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
}

/** Stores `value` unless the setting exists: of instances starting together, the first one's stays. */
export async function addTlsSetting(db: Db, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function replaceTlsSetting(db: Db, name: string, value: string): Promise<void> {
  await db.updateTable('settings').set({ value }).where('name', '=', name).execute();
}
