import type { MiddlewareHandler } from 'hono';
import { type Db, groupCommitOf } from './database.js';

// The commit barrier: SQLite commits in groups (sqlite-group-commit.ts), so nothing may report a write
// (an answer, a notification, a file) before the batch that holds it is on disk, and nothing may report
// success when that batch failed. Everything that waits for a commit waits through this module: the
// outer HTTP middleware with its inner marker, `withDurable` for work outside a request, and
// `committedSoFar` for start-up. On PostgreSQL a transaction has committed when it resolves, so every
// wait here resolves at once.

/** What the inner marker leaves for the outer middleware on a request. */
export interface DurabilityVariables {
  /** The last group commit the request's own statements can be in (set once they are done). */
  durableUpTo?: number;
}

type DurabilityEnv = { Variables: DurabilityVariables };

/**
 * Outermost around every route: takes a mark before the route's first statement and, after it, waits for
 * every group commit from that mark to the marker's reach (to now without a marker), so no answer leaves
 * before what it reports is committed, and none leaves as a success if a commit it depends on failed.
 */
export function durableAnswers(db: Db): MiddlewareHandler<DurabilityEnv> {
  return async (c, next) => {
    const since = mark(db);
    await next();
    await waitFor(db, since, c.get('durableUpTo'));
  };
}

/**
 * Placed where a request's own statements are done and before work that writes nothing (signing the
 * answer): batches opened after this point need not commit before the answer, so they go on collecting
 * other requests.
 */
export function durableReach(db: Db): MiddlewareHandler<DurabilityEnv> {
  return async (c, next) => {
    await next();
    c.set('durableUpTo', reach(db));
  };
}

/**
 * Runs `work` and resolves with its result once everything it wrote is committed; for workers and
 * background jobs, whose reports (a notification sent, an answer of their own) must not run ahead of
 * their writes. `needed` may say from the result that there is nothing to wait for (nothing claimed).
 */
export async function withDurable<T>(db: Db, work: () => Promise<T>, needed?: (result: T) => boolean): Promise<T> {
  const since = mark(db);
  const result = await work();
  if (needed === undefined || needed(result)) await waitFor(db, since, reach(db));
  return result;
}

/** Resolves once everything executed on `db` since it was opened is committed (start-up's writes). */
export function committedSoFar(db: Db): Promise<void> {
  return waitFor(db, undefined, undefined);
}

/** The first group commit a statement run from now can be in. */
function mark(db: Db): number {
  return groupCommitOf(db)?.mark() ?? 0;
}

/** The last group commit a statement run so far can be in. */
function reach(db: Db): number {
  return groupCommitOf(db)?.reach() ?? 0;
}

function waitFor(db: Db, since: number | undefined, upTo: number | undefined): Promise<void> {
  return groupCommitOf(db)?.durable(since, upTo) ?? Promise.resolve();
}
