import type { PlatformContext } from '../../context.js';
import { retryingConflicts } from '../../db/transaction.js';
import type { StopFunction } from '../feature.js';
import { returnIdleSlices } from './favor.repository.js';

/**
 * PostgreSQL claims 代金券 budget in slices per database connection (migration 0016; day budgets, 0017). A slice of a
 * connection that closed, or has sat idle this long, goes back to its stock (or day); the same interval is how often
 * every instance looks for such slices (the pool closes its connections after 10 s idle, too).
 */
export const SLICE_IDLE_MS = 10_000;

/** Returns idle slices now and every {@link SLICE_IDLE_MS}; the function returned stops it. */
export function startReturningSlices(ctx: PlatformContext, idleMs = SLICE_IDLE_MS): StopFunction {
  let last: Promise<void> = Promise.resolve();
  const sweep = () => {
    last = last
      .then(() => retryingConflicts(() => returnIdleSlices(ctx.db, idleMs)))
      .then(
        () => undefined,
        (err: Error) => ctx.log(`platform: 代金券 budget slices not returned: ${err.message}`),
      );
  };
  sweep();
  const timer = setInterval(sweep, idleMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await last;
  };
}
