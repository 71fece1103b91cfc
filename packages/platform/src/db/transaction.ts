import type { Transaction } from 'kysely';
import { ApiError } from '../errors/api-error.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

// Every write transaction runs through here. Under concurrency PostgreSQL may abort a transaction for
// a reason that says nothing about the request: it lost a serialization check, a deadlock, or hit
// the multixact race of rows that many transactions lock and update at once (a daily budget under
// a burst of sends, where some update the stock row and then roll back). The transaction is rolled
// back whole, so running the same unit again is safe and is what a client would do anyway; a
// request that loses every attempt is answered 500 SYSTEM_ERROR, which WeChat Pay documents as
// "retry with the same parameters", never with the raw database error.

/** Attempts in all, the first included. */
const ATTEMPTS = 6;
/** The backoff before the second attempt, doubled for each later one (capped), then fully jittered. */
const BASE_DELAY_MS = 4;
const MAX_DELAY_MS = 100;

/**
 * True when `err` is PostgreSQL aborting a transaction because of another one, so that the same
 * transaction run again may succeed. In order:
 * 1. 40001 serialization_failure: lost a serialization check;
 * 2. 40P01 deadlock_detected: chosen as the victim of a deadlock;
 * 3. XX000 "new multixact has more than one updating member": an internal error PostgreSQL raises
 *    when concurrent lockers and an aborted updater of one row meet (seen on hot budget rows); only
 *    that message, since other internal errors are not conflicts.
 * Unique violations are not here: they mean a twin request committed first, and callers answer
 * with its result rather than trying again.
 */
export function isTransientConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code === '40001' || code === '40P01') return true;
  return (
    code === 'XX000' &&
    typeof message === 'string' &&
    message.startsWith('new multixact has more than one updating member')
  );
}

export interface WriteTransactionOptions {
  /** For tests: how to wait between attempts (default a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** For tests: told of each conflict that is retried. */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `work` in one transaction, again from the start when it loses a conflict (see
 * {@link isTransientConflict}), at most {@link ATTEMPTS} times. `work` must keep everything it decides
 * inside the transaction (or recompute it on every call): a retry re-runs the whole unit, and what a
 * failed attempt wrote was rolled back.
 */
export async function writeTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  options: WriteTransactionOptions = {},
): Promise<T> {
  return retryingConflicts(() => db.transaction().execute(work), options);
}

/**
 * Runs `work` again while it loses a conflict, as {@link writeTransaction} does; for a unit of work that is
 * one statement in its own transaction (a function call on PostgreSQL, see favor.repository.ts).
 */
export async function retryingConflicts<T>(work: () => Promise<T>, options: WriteTransactionOptions = {}): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isTransientConflict(err)) throw err;
      if (attempt >= ATTEMPTS) throw new ApiError('SYSTEM_ERROR', '系统繁忙，请使用相同参数稍后重试');
      options.onRetry?.(err, attempt);
      // Full jitter: twins that collided once do not collide again at the same moment.
      await sleep(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
    }
  }
}
