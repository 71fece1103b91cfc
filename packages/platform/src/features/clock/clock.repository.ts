import type { Db } from '../../db/database.js';

// The one row of the platform clock. Advancing adds to the stored offset in a single UPDATE, so two
// instances advancing at once both count; every change bumps `version`.

export interface PlatformClockTable {
  id: string;
  offset_ms: number;
  version: number;
  update_ms: number;
}

declare module '../../db/schema.js' {
  interface Database {
    platform_clock: PlatformClockTable;
  }
}

const ROW = 'platform';

export interface StoredClock {
  offsetMs: number;
  version: number;
}

export async function readClock(db: Db): Promise<StoredClock> {
  const row = await db
    .selectFrom('platform_clock')
    .select(['offset_ms', 'version'])
    .where('id', '=', ROW)
    .executeTakeFirst();
  return row ? { offsetMs: Number(row.offset_ms), version: Number(row.version) } : { offsetMs: 0, version: 0 };
}

/** Creates the row on a first start (a no-op when another instance, or an earlier start, made it). */
export async function ensureClockRow(db: Db, now: number): Promise<void> {
  await db
    .insertInto('platform_clock')
    .values({ id: ROW, offset_ms: 0, version: 0, update_ms: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function addToOffset(db: Db, byMs: number, now: number): Promise<void> {
  await db
    .updateTable('platform_clock')
    .set((eb) => ({ offset_ms: eb('offset_ms', '+', byMs), version: eb('version', '+', 1), update_ms: now }))
    .where('id', '=', ROW)
    .execute();
}

export async function replaceOffset(db: Db, offsetMs: number, now: number): Promise<void> {
  await db
    .updateTable('platform_clock')
    .set((eb) => ({ offset_ms: offsetMs, version: eb('version', '+', 1), update_ms: now }))
    .where('id', '=', ROW)
    .execute();
}
