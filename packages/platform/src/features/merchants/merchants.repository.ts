import type { Insertable, Kysely } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { Database, MerchantCertificateTable, MerchantTable, UserTable } from '../../db/schema.js';

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

/** Turns APIv2 decimal err_codes on or off for a merchant; false when there is no such merchant. */
export async function setV2DecimalErrCode(db: Q, mchid: string, on: boolean): Promise<boolean> {
  const r = await db
    .updateTable('merchants')
    .set({ v2_decimal_err_code: on ? 1 : 0 })
    .where('mchid', '=', mchid)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
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

export const findUserQuery = prepared<{ appid: string; openid: string }, UserTable>((db, p) =>
  db.selectFrom('users').selectAll().where('appid', '=', p('appid')).where('openid', '=', p('openid')),
);

/** The user an openid names under one appid (an openid means nothing outside its appid). */
export async function findUser(db: Q, appid: string, openid: string): Promise<UserTable | undefined> {
  return (await findUserQuery(db, { appid, openid })).rows[0];
}

/** Every user with this openid, one per appid, oldest first. */
export function usersByOpenid(db: Q, openid: string): Promise<UserTable[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('openid', '=', openid)
    .orderBy('created_at')
    .orderBy('appid')
    .execute();
}

/** The openid of a natural person under an appid, if that person has one there. */
export async function openidOfPerson(db: Q, appid: string, personId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('users')
    .select('openid')
    .where('appid', '=', appid)
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .orderBy('openid')
    .executeTakeFirst();
  return row?.openid;
}

export const insertUserQuery = prepared<{ openid: string; appid: string; createdAt: number }>((db, p) =>
  db
    .insertInto('users')
    .values({ openid: p('openid'), appid: p('appid'), person_id: null, abnormal: 0, created_at: p('createdAt') })
    .onConflict((oc) => oc.columns(['appid', 'openid']).doNothing()),
);

/** Adds a user unless (appid, openid) is one already: a concurrent registration of it is the same user. */
export async function insertUserIfAbsent(db: Q, appid: string, openid: string, createdAt: number): Promise<void> {
  await insertUserQuery(db, { openid, appid, createdAt });
}

export async function updateUser(
  db: Q,
  appid: string,
  openid: string,
  change: { abnormal: number; person_id: string | null },
): Promise<void> {
  await db.updateTable('users').set(change).where('appid', '=', appid).where('openid', '=', openid).execute();
}

export async function appidExists(db: Q, appid: string): Promise<boolean> {
  return (await db.selectFrom('appids').select('appid').where('appid', '=', appid).executeTakeFirst()) !== undefined;
}

/** A merchant with its first API certificate; either already stored is a unique violation. */
export async function insertMerchant(
  db: Q,
  merchant: Insertable<MerchantTable>,
  certificate: MerchantCertificateTable,
): Promise<void> {
  await db.insertInto('merchants').values(merchant).execute();
  await db.insertInto('merchant_certificates').values(certificate).execute();
}

/** One more API certificate; one already stored under its serial is left as it is. */
export async function addCertificate(db: Q, certificate: MerchantCertificateTable): Promise<void> {
  await db
    .insertInto('merchant_certificates')
    .values(certificate)
    .onConflict((oc) => oc.column('serial').doNothing())
    .execute();
}

export async function hasCertificate(db: Q, mchid: string, serial: string): Promise<boolean> {
  const row = await db
    .selectFrom('merchant_certificates')
    .select('serial')
    .where('mchid', '=', mchid)
    .where('serial', '=', serial)
    .executeTakeFirst();
  return row !== undefined;
}

/** The key a request signed with (mchid, serial) verifies against, with its merchant's platform key mode. */
export function requestCertificate(db: Q, mchid: string, serial: string) {
  return db
    .selectFrom('merchant_certificates')
    .innerJoin('merchants', 'merchants.mchid', 'merchant_certificates.mchid')
    .select(['merchant_certificates.public_key_pem', 'merchants.platform_key_mode'])
    .where('merchant_certificates.serial', '=', serial)
    .where('merchant_certificates.mchid', '=', mchid)
    .executeTakeFirst();
}

/** The API certificate stored under a serial, whichever merchant holds it. */
export function certificateBySerial(db: Q, serial: string) {
  return db
    .selectFrom('merchant_certificates')
    .select(['mchid', 'certificate_pem'])
    .where('serial', '=', serial)
    .executeTakeFirst();
}

export interface MerchantSummary {
  mchid: string;
  name: string;
  platform_key_mode: string;
  v2_decimal_err_code: number;
  serials: string[];
  appids: string[];
}

/** Every merchant by number, with its certificate serials and bound appids. */
export async function listMerchants(db: Q): Promise<MerchantSummary[]> {
  const rows = await db
    .selectFrom('merchants')
    .select(['mchid', 'name', 'platform_key_mode', 'v2_decimal_err_code'])
    .orderBy('mchid')
    .execute();
  const appids = await db.selectFrom('merchant_appids').selectAll().execute();
  const serials = await db.selectFrom('merchant_certificates').select(['mchid', 'serial']).execute();
  return rows.map((m) => ({
    ...m,
    serials: serials.filter((s) => s.mchid === m.mchid).map((s) => s.serial),
    appids: appids.filter((a) => a.mchid === m.mchid).map((a) => a.appid),
  }));
}

/** Creates the appid if new and binds it to the merchant; either step done before is left as it is. */
export async function bindAppid(db: Q, mchid: string, appid: string, createdAt: number): Promise<void> {
  await db
    .insertInto('appids')
    .values({ appid, created_at: createdAt })
    .onConflict((oc) => oc.column('appid').doNothing())
    .execute();
  await db
    .insertInto('merchant_appids')
    .values({ mchid, appid })
    .onConflict((oc) => oc.columns(['mchid', 'appid']).doNothing())
    .execute();
}

/** Adds a user; one already stored under (appid, openid) is a unique violation. */
export async function insertUser(db: Q, user: UserTable): Promise<void> {
  await db.insertInto('users').values(user).execute();
}
