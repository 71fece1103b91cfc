import type { CampaignEvent, Progress } from '../engine/events.js';
import { formatCount, formatDuration } from './format.js';

export type ReporterMode = 'tty' | 'plain' | 'json' | 'quiet';

export interface ReporterOptions {
  mode: ReporterMode;
  /** Where human progress goes (stderr), kept apart from the summary and JSON events (stdout). */
  err: NodeJS.WritableStream & { columns?: number };
  out: NodeJS.WritableStream;
  /** Milliseconds between plain lines (and JSON progress events). */
  plainIntervalMs?: number;
  now?: () => number;
}

/** Picks the progress style: a bar on an interactive terminal, plain lines in CI and pipes, JSON when asked. */
export function reporterMode(json: boolean, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): ReporterMode {
  if (json) return 'json';
  if (stream.isTTY && !env['CI'] && env['TERM'] !== 'dumb') return 'tty';
  return 'plain';
}

/** Shows a run's progress. The runner is polled for a snapshot; events that matter on their own are printed as they come. */
export class ProgressReporter {
  private readonly o: ReporterOptions;
  private timer: NodeJS.Timeout | undefined;
  private lastBar = '';
  private samples: { t: number; done: number }[] = [];

  constructor(options: ReporterOptions) {
    this.o = options;
  }

  /** Starts periodic reporting; `poll` returns the runner's current counts. */
  start(poll: () => Progress): void {
    const interval = this.o.mode === 'tty' ? 200 : (this.o.plainIntervalMs ?? 5000);
    if (this.o.mode === 'quiet') return;
    this.timer = setInterval(() => this.tick(poll()), interval);
    this.timer.unref();
  }

  stop(final?: Progress): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (final && this.o.mode === 'tty') this.tick(final);
    if (this.o.mode === 'tty' && this.lastBar) this.o.err.write('\n');
    this.lastBar = '';
  }

  event(e: CampaignEvent): void {
    if (this.o.mode === 'quiet') return;
    if (this.o.mode === 'json') {
      this.o.out.write(`${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`);
      return;
    }
    const line = describeEvent(e);
    if (line === undefined) return;
    if (this.o.mode === 'tty' && this.lastBar) this.o.err.write('\r\x1b[2K');
    this.o.err.write(`${line}\n`);
    if (this.o.mode === 'tty' && this.lastBar) this.o.err.write(this.lastBar);
  }

  private tick(p: Progress): void {
    if (this.o.mode === 'json') {
      this.o.out.write(`${JSON.stringify({ type: 'progress', ...p, time: new Date().toISOString() })}\n`);
      return;
    }
    const text = this.line(p);
    if (this.o.mode === 'tty') {
      this.lastBar = `\r\x1b[2K${text}`;
      this.o.err.write(this.lastBar);
    } else {
      this.o.err.write(`${text}\n`);
    }
  }

  /** Rate over the last ~10 s of samples, so the ETA follows the current pace rather than the whole run's. */
  private pace(p: Progress): number {
    const now = this.o.now?.() ?? Date.now();
    const done = p.sent + p.skipped + p.failed + p.deferred;
    this.samples.push({ t: now, done });
    while (this.samples.length > 2 && now - this.samples[0]!.t > 10_000) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (now - first.t) / 1000;
    if (dt <= 0) return p.elapsedMs > 0 ? (done / p.elapsedMs) * 1000 : 0;
    return (done - first.done) / dt;
  }

  private line(p: Progress): string {
    const done = p.settledBefore + p.sent + p.skipped + p.failed + p.deferred;
    const remaining = Math.max(0, p.total - done);
    const pace = this.pace(p);
    const eta = pace > 0 ? formatDuration((remaining / pace) * 1000) : '--';
    const pct = p.total > 0 ? (done / p.total) * 100 : 100;
    const counts = `sent ${formatCount(p.sent)} skipped ${formatCount(p.skipped)} failed ${formatCount(p.failed + p.deferred)}`;
    const speed = `${formatCount(pace)}/s`;
    if (this.o.mode === 'tty') {
      // One line that never wraps (a wrapped line cannot be redrawn with \r): the bar takes what room is left.
      const columns = this.o.err.columns ?? 80;
      const text = `${pct.toFixed(1)}% ${formatCount(done)}/${formatCount(p.total)} · ${counts} · ${speed} · ETA ${eta}`;
      const width = Math.min(30, columns - text.length - 2);
      if (width < 5) return text.slice(0, columns - 1);
      const filled = Math.round((pct / 100) * width);
      return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${text}`;
    }
    return `[campaign] ${pct.toFixed(1)}% ${formatCount(done)}/${formatCount(p.total)} ${counts} rate ${speed} ETA ${eta}`;
  }
}

function describeEvent(e: CampaignEvent): string | undefined {
  switch (e.type) {
    case 'start':
      return (
        `campaign ${e.campaignId}: ${formatCount(e.todo)} of ${formatCount(e.total)} recipients to send` +
        ` via ${e.api}, stock ${e.stockId}, at most ${e.qps}/s and ${e.concurrency} at once${e.resumed ? ' (resumed)' : ''}`
      );
    case 'ingested': {
      const notes: string[] = [];
      if (e.corrected > 0) {
        notes.push(`${formatCount(e.corrected)} recipients not yet sent take their corrected rows from the input`);
      }
      if (e.duplicates > 0 || e.invalid > 0) {
        notes.push(
          `read ${formatCount(e.rows)} rows: ${formatCount(e.duplicates)} duplicate, ${formatCount(e.invalid)} invalid`,
        );
      }
      if (e.ignoredColumns.length > 0) {
        const accepted = e.acceptedColumns.length > 0 ? e.acceptedColumns.join(', ') : 'none';
        notes.push(`ignoring CSV columns ${e.ignoredColumns.join(', ')} (this API takes: openid, ${accepted})`);
      }
      return notes.length > 0 ? notes.join('\n') : undefined;
    }
    case 'throttled':
      return `rate limited by the server (429): slowing to ${formatCount(e.rate)}/s, then recovering`;
    case 'stopping':
      return `stopping: ${e.reason} (${e.code}: ${e.message}); recipients not yet sent stay in the journal`;
    case 'skipped':
    case 'failed':
    case 'progress':
      return undefined;
  }
}
