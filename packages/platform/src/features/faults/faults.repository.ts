import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

// Queries for fault rules. Firing is one conditional UPDATE … RETURNING: of any number of concurrent
// requests on any number of instances, at most `times` see a row come back.

export interface FaultRuleTable {
  id: string;
  api: string | null;
  mchid: string | null;
  stock_id: string | null;
  openid: string | null;
  out_request_no: string | null;
  action: string;
  error_code: string | null;
  latency_ms: number | null;
  times: number | null;
  probability: number | null;
  seed: number | null;
  matched: number;
  fired: number;
  create_ms: number;
}

declare module '../../db/schema.js' {
  interface Database {
    fault_rules: FaultRuleTable;
  }
}

export type FaultRuleRow = FaultRuleTable;

export async function insertRule(db: Db, row: FaultRuleRow): Promise<void> {
  await db.insertInto('fault_rules').values(row).execute();
}

export function listRules(db: Db): Promise<FaultRuleRow[]> {
  return db.selectFrom('fault_rules').selectAll().orderBy('create_ms').orderBy('id').execute();
}

export function getRule(db: Db, id: string): Promise<FaultRuleRow | undefined> {
  return db.selectFrom('fault_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteRule(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('fault_rules').where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function deleteAllRules(db: Db): Promise<number> {
  const r = await db.deleteFrom('fault_rules').executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Counts one more request a probabilistic rule decides on; its number in the rule's sequence, if the rule still exists. */
export async function countMatch(db: Db, id: string): Promise<number | undefined> {
  const row = await db
    .updateTable('fault_rules')
    .set({ matched: sql`matched + 1` })
    .where('id', '=', id)
    .returning('matched')
    .executeTakeFirst();
  return row?.matched;
}

/**
 * Counts one firing while the rule has firings left (`times`); `alsoMatch` counts the request as
 * matched in the same statement (rules without a probability). Returns the new count, or undefined
 * when the rule is spent or gone.
 */
export async function claimFiring(db: Db, id: string, alsoMatch: boolean): Promise<number | undefined> {
  const row = await db
    .updateTable('fault_rules')
    .set(alsoMatch ? { fired: sql`fired + 1`, matched: sql`matched + 1` } : { fired: sql`fired + 1` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('times', 'is', null), eb('fired', '<', eb.ref('times'))]))
    .returning('fired')
    .executeTakeFirst();
  return row?.fired;
}
