import type { Progress } from '../engine/events.js';
import type { CampaignMeta, Journal, RunState } from '../store/journal.js';
import { formatCount, formatDuration } from './format.js';
import { type Totals, totalsOf } from './report.js';

export interface Summary {
  campaignId: string;
  api: string;
  stockId: string;
  state: RunState['state'];
  stop: { code: string | null; reason: string | null } | null;
  totals: Totals;
  errors: { state: string; code: string; message: string | null; count: number }[];
  run?: {
    sent: number;
    skipped: number;
    failed: number;
    deferred: number;
    attempts: number;
    retries: number;
    throttles: number;
    elapsedMs: number;
    ratePerSecond: number;
  };
}

export function summarize(journal: Journal, meta: CampaignMeta, run: RunState, progress?: Progress): Summary {
  const s: Summary = {
    campaignId: meta.campaignId,
    api: meta.api,
    stockId: meta.stockId,
    state: run.state,
    stop: run.stopCode || run.stopReason ? { code: run.stopCode, reason: run.stopReason } : null,
    totals: totalsOf(journal.counts()),
    errors: journal.topErrors(8),
  };
  if (progress) {
    s.run = {
      sent: progress.sent,
      skipped: progress.skipped,
      failed: progress.failed,
      deferred: progress.deferred,
      attempts: progress.attempts,
      retries: progress.retries,
      throttles: progress.throttles,
      elapsedMs: Math.round(progress.elapsedMs),
      ratePerSecond: progress.elapsedMs > 0 ? Math.round((progress.attempts / progress.elapsedMs) * 1000) : 0,
    };
  }
  return s;
}

const NEXT_STEP: Record<RunState['state'], string> = {
  new: 'nothing sent yet: run `wxcoupon campaign run` with this journal',
  running: 'a run is in progress',
  completed: 'every recipient is settled',
  stopped: 'fix the cause, then rerun the same command to continue',
  incomplete: 'rerun the same command to retry the rest with the same keys',
  interrupted: 'rerun the same command to continue',
};

export function formatSummary(s: Summary): string {
  const t = s.totals;
  const pad = (label: string, n: number, extra = '') =>
    `  ${label.padEnd(10)}${formatCount(n).padStart(12)}${extra ? `  ${extra}` : ''}`;
  const lines = [`campaign ${s.campaignId} (${s.api}, stock ${s.stockId}): ${s.state}`];
  if (s.stop?.code) lines.push(`  stopped on ${s.stop.code}: ${s.stop.reason ?? ''}`);
  lines.push(pad('recipients', t.total));
  lines.push(pad('sent', t.sent, s.run ? `(${formatCount(s.run.sent)} in this run)` : ''));
  lines.push(pad('skipped', t.skipped));
  lines.push(pad('failed', t.failed));
  lines.push(pad('not sent', t.notSent));
  if (t.unknown > 0) lines.push(pad('unknown', t.unknown, '(no answer yet; a rerun settles them with the same key)'));
  if (s.errors.length > 0) {
    lines.push('  errors:');
    for (const e of s.errors)
      lines.push(`    ${e.state.padEnd(9)}${formatCount(e.count).padStart(10)}  ${e.code}  ${e.message ?? ''}`);
  }
  if (s.run) {
    const r = s.run;
    lines.push(
      `  this run: ${formatDuration(r.elapsedMs)}, ${formatCount(r.attempts)} requests (${formatCount(r.ratePerSecond)}/s),` +
        ` ${formatCount(r.retries)} retries, ${formatCount(r.throttles)} slowdowns on 429`,
    );
  }
  lines.push(`  next: ${NEXT_STEP[s.state]}`);
  return `${lines.join('\n')}\n`;
}
