import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

// The console's own records (its signing key, the certificate it registered for each merchant), kept in
// the platform's settings so that every instance on the database signs alike. What it shows of
// stocks, coupons and merchants it reads through their families' services.

type Q = Kysely<Database>;

export async function readSetting(db: Q, name: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
}

/** Writes a setting unless one is there already (another instance may have written it first). */
export async function insertSettingIfAbsent(db: Q, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function writeSetting(db: Q, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}
