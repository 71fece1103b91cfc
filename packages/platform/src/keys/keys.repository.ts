import type { Db } from '../db/database.js';
import type { PlatformKeyTable } from '../db/schema.js';

// Queries for the platform's signing keys: the key rows, and the setting naming the key of each kind
// in use. The setting is written only when absent, so of instances starting at once the first wins.

export async function chosenKeyId(db: Db, setting: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', setting).executeTakeFirst())?.value;
}

export async function insertKey(db: Db, row: PlatformKeyTable): Promise<void> {
  await db.insertInto('platform_keys').values(row).execute();
}

/** Names `keyId` in `setting` unless a key is named there already. */
export async function chooseKey(db: Db, setting: string, keyId: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name: setting, value: keyId })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** The key the setting names; it exists once the setting does. */
export async function chosenKey(db: Db, setting: string): Promise<PlatformKeyTable> {
  const { value } = await db
    .selectFrom('settings')
    .select('value')
    .where('name', '=', setting)
    .executeTakeFirstOrThrow();
  return db.selectFrom('platform_keys').selectAll().where('key_id', '=', value).executeTakeFirstOrThrow();
}
