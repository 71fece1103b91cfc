import type { Kysely } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { Database, UserTable } from '../../db/schema.js';

type Q = Kysely<Database>;

export function findMerchant(db: Q, mchid: string) {
  return db.selectFrom('merchants').selectAll().where('mchid', '=', mchid).executeTakeFirst();
}

// Merchants and appid bindings are never deleted, so a positive answer can be remembered; it is
// still re-read after a while so that a manual database edit takes effect. Negative answers are not
// cached, so a merchant or binding added by another instance is seen at once.
const REMEMBER_MS = 30_000;
const knownPerDatabase = new WeakMap<object, Map<string, number>>();

async function remembered(db: Q, key: string, check: () => Promise<boolean>): Promise<boolean> {
  let known = knownPerDatabase.get(db);
  if (!known) {
    known = new Map();
    knownPerDatabase.set(db, known);
  }
  const until = known.get(key);
  if (until !== undefined && until > Date.now()) return true;
  const ok = await check();
  if (ok) {
    if (known.size > 100_000) known.clear();
    known.set(key, Date.now() + REMEMBER_MS);
  }
  return ok;
}

export function merchantExists(db: Q, mchid: string): Promise<boolean> {
  return remembered(
    db,
    `m ${mchid}`,
    async () =>
      (await db.selectFrom('merchants').select('mchid').where('mchid', '=', mchid).executeTakeFirst()) !== undefined,
  );
}

export function isAppidBound(db: Q, mchid: string, appid: string): Promise<boolean> {
  return remembered(db, `a ${mchid} ${appid}`, async () => {
    const row = await db
      .selectFrom('merchant_appids')
      .select('appid')
      .where('mchid', '=', mchid)
      .where('appid', '=', appid)
      .executeTakeFirst();
    return row !== undefined;
  });
}

const findUserQuery = prepared<{ openid: string }, UserTable>((db, p) =>
  db.selectFrom('users').selectAll().where('openid', '=', p('openid')),
);

export async function findUser(db: Q, openid: string): Promise<UserTable | undefined> {
  return (await findUserQuery(db, { openid })).rows[0];
}

const insertUserQuery = prepared<{ openid: string; appid: string; createdAt: number }>((db, p) =>
  db
    .insertInto('users')
    .values({ openid: p('openid'), appid: p('appid'), person_id: null, abnormal: 0, created_at: p('createdAt') })
    .onConflict((oc) => oc.column('openid').doNothing()),
);

/** Adds a user unless the openid is already taken; true when this call added it. */
export async function insertUserIfAbsent(db: Q, openid: string, appid: string, createdAt: number): Promise<boolean> {
  const { numAffectedRows } = await insertUserQuery(db, { openid, appid, createdAt });
  return numAffectedRows !== undefined && numAffectedRows > 0n;
}

export async function appidExists(db: Q, appid: string): Promise<boolean> {
  return (await db.selectFrom('appids').select('appid').where('appid', '=', appid).executeTakeFirst()) !== undefined;
}
