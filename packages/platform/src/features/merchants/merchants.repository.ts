import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Q = Kysely<Database>;

export function findMerchant(db: Q, mchid: string) {
  return db.selectFrom('merchants').selectAll().where('mchid', '=', mchid).executeTakeFirst();
}

export async function isAppidBound(db: Q, mchid: string, appid: string): Promise<boolean> {
  const row = await db
    .selectFrom('merchant_appids')
    .select('appid')
    .where('mchid', '=', mchid)
    .where('appid', '=', appid)
    .executeTakeFirst();
  return row !== undefined;
}

export function findUser(db: Q, openid: string) {
  return db.selectFrom('users').selectAll().where('openid', '=', openid).executeTakeFirst();
}

export async function appidExists(db: Q, appid: string): Promise<boolean> {
  return (await db.selectFrom('appids').select('appid').where('appid', '=', appid).executeTakeFirst()) !== undefined;
}
