import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { writeTransaction } from '../../db/transaction.js';

// Queries for the outbox. A claim is a conditional UPDATE (still pending, lease free or expired):
// of several instances racing for one row, exactly one sees a changed row count.

export interface NotifyOutboxTable {
  id: string;
  mchid: string;
  event_type: string;
  notify_url: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_ms: number;
  claimed_by: string | null;
  lease_until: number | null;
  create_ms: number;
  delivered_ms: number | null;
  last_error: string | null;
}

export interface NotifyAttemptTable {
  notification_id: string;
  attempt: number;
  start_ms: number;
  duration_ms: number;
  http_status: number | null;
  error: string | null;
  ok: number;
  instance: string;
}

declare module '../../db/schema.js' {
  interface Database {
    notify_outbox: NotifyOutboxTable;
    notify_attempts: NotifyAttemptTable;
  }
}

type Q = Kysely<Database>;
export type OutboxRow = NotifyOutboxTable;
export type AttemptRow = NotifyAttemptTable;

export const PENDING = 'PENDING';
export const DELIVERED = 'DELIVERED';
export const FAILED = 'FAILED';

export async function insertNotification(db: Q, row: OutboxRow): Promise<void> {
  await db.insertInto('notify_outbox').values(row).execute();
}

/**
 * Claims up to `limit` notifications due at `now` (platform clock) for `instance`; returns the rows it
 * won. Leases are in real time (`realNow`), so moving the platform clock neither frees nor freezes one.
 */
export async function claimDue(db: Q, instance: string, now: number, realNow: number, leaseMs: number, limit: number) {
  const due = await db
    .selectFrom('notify_outbox')
    .select('id')
    .where('status', '=', PENDING)
    .where('next_attempt_ms', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
    .orderBy('next_attempt_ms')
    .limit(limit)
    .execute();
  const won: OutboxRow[] = [];
  for (const { id } of due) {
    const row = await claimOne(db, instance, id, realNow, leaseMs);
    if (row) won.push(row);
  }
  return won;
}

/** Claims one pending notification for `instance`, whenever it is due; undefined when it is not free. */
export async function claimOne(db: Q, instance: string, id: string, realNow: number, leaseMs: number) {
  const r = await db
    .updateTable('notify_outbox')
    .set({ claimed_by: instance, lease_until: realNow + leaseMs })
    .where('id', '=', id)
    .where('status', '=', PENDING)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return undefined;
  return db.selectFrom('notify_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Records one attempt and moves the notification on, but only while `instance` still holds the
 * claim: a worker whose lease was taken over records nothing, so attempts never double up.
 */
export async function finishAttempt(
  db: Q,
  instance: string,
  row: OutboxRow,
  attempt: AttemptRow,
  next: Pick<OutboxRow, 'status' | 'next_attempt_ms' | 'delivered_ms' | 'last_error'>,
): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const r = await trx
      .updateTable('notify_outbox')
      .set({ ...next, attempts: attempt.attempt, claimed_by: null, lease_until: null })
      .where('id', '=', row.id)
      .where('claimed_by', '=', instance)
      .where('attempts', '=', attempt.attempt - 1)
      .executeTakeFirst();
    if (r.numUpdatedRows === 0n) return false;
    await trx.insertInto('notify_attempts').values(attempt).execute();
    return true;
  });
}

/**
 * Gives up `instance`'s claim on a notification without recording an attempt (the attempt was broken off
 * by a shutdown): another instance, or the next start, delivers it at once instead of after the lease.
 */
export async function releaseClaim(db: Q, instance: string, id: string): Promise<void> {
  await db
    .updateTable('notify_outbox')
    .set({ claimed_by: null, lease_until: null })
    .where('id', '=', id)
    .where('claimed_by', '=', instance)
    .where('status', '=', PENDING)
    .execute();
}

export function findNotification(db: Q, id: string) {
  return db.selectFrom('notify_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export function attemptsOf(db: Q, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([] as AttemptRow[]);
  return db
    .selectFrom('notify_attempts')
    .selectAll()
    .where('notification_id', 'in', ids)
    .orderBy('notification_id')
    .orderBy('attempt')
    .execute();
}

export function listNotifications(
  db: Q,
  q: { status?: string; eventType?: string; mchid?: string; limit: number; offset: number },
) {
  let query = db.selectFrom('notify_outbox').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (q.eventType) query = query.where('event_type', '=', q.eventType);
  if (q.mchid) query = query.where('mchid', '=', q.mchid);
  return query.orderBy('create_ms', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute();
}

/**
 * Puts a notification back in the queue, due now and already claimed by `instance`, which attempts it
 * at once (the admin "deliver again"), whatever its status: a pending one is attempted now instead of
 * at its next scheduled time. Undefined while an attempt of it is in flight.
 */
export async function requeueClaimed(
  db: Q,
  id: string,
  now: number,
  instance: string,
  realNow: number,
  leaseMs: number,
) {
  const r = await db
    .updateTable('notify_outbox')
    .set({ status: PENDING, next_attempt_ms: now, claimed_by: instance, lease_until: realNow + leaseMs })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return undefined;
  return db.selectFrom('notify_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every notification and attempt gone (platform.reset). */
export async function forgetNotifications(db: Q): Promise<void> {
  await db.deleteFrom('notify_attempts').execute();
  await db.deleteFrom('notify_outbox').execute();
}

export async function readSetting(db: Q, name: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
}

export async function writeSetting(db: Q, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}
