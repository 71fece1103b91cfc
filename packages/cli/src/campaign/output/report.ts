import { once } from 'node:events';
import { createWriteStream, renameSync } from 'node:fs';
import { csvCell } from '../input/csv.js';
import type { Journal, RecipientRow, StateCount } from '../store/journal.js';

/** What a recipient's row in `--out` says happened. */
export type RecipientResult = 'sent' | 'skipped' | 'failed' | 'not_sent' | 'unknown';

export function resultOf(row: Pick<RecipientRow, 'state' | 'uncertain'>): RecipientResult {
  if (row.state === 'sent' || row.state === 'skipped' || row.state === 'failed') return row.state;
  return row.uncertain ? 'unknown' : 'not_sent';
}

export interface Totals {
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Not sent: a rerun will send them (never attempted, stopped, or transient failures exhausted). */
  notSent: number;
  /** Attempted without a definite answer: a rerun settles them with the same key. */
  unknown: number;
}

export function totalsOf(counts: StateCount[]): Totals {
  const t: Totals = { total: 0, sent: 0, skipped: 0, failed: 0, notSent: 0, unknown: 0 };
  for (const c of counts) {
    t.total += c.count;
    if (c.state === 'sent') t.sent += c.count;
    else if (c.state === 'skipped') t.skipped += c.count;
    else if (c.state === 'failed') t.failed += c.count;
    else {
      t.unknown += c.uncertain ?? 0;
      t.notSent += c.count - (c.uncertain ?? 0);
    }
  }
  return t;
}

/**
 * Writes one CSV row per recipient, in input order, streamed from the journal so a million rows cost no memory.
 * Written beside the target and renamed, so a reader never sees half a file.
 */
export async function writeOutFile(journal: Journal, file: string): Promise<number> {
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  out.write('openid,result,coupon,error_code,attempts,error_message\n');
  let n = 0;
  for (const row of journal.all()) {
    const line = [
      csvCell(row.openid),
      resultOf(row),
      csvCell(row.coupon ?? ''),
      csvCell(row.state === 'sent' ? '' : (row.errorCode ?? '')),
      row.attempts,
      csvCell(row.state === 'sent' ? '' : (row.errorMessage ?? '')),
    ].join(',');
    n++;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, file);
  return n;
}
