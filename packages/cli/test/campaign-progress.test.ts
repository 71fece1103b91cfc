import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Progress } from '../src/campaign/engine/events.js';
import { formatDuration } from '../src/campaign/output/format.js';
import { ProgressReporter, reporterMode } from '../src/campaign/output/progress-reporter.js';

function sink(): { stream: PassThrough & { columns?: number }; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => {
    text += d;
  });
  return { stream, text: () => text };
}

const progress: Progress = {
  total: 10_000,
  settledBefore: 2_000,
  sent: 3_000,
  skipped: 40,
  failed: 5,
  deferred: 2,
  inFlight: 8,
  attempts: 3_100,
  retries: 53,
  throttles: 1,
  rate: 400,
  elapsedMs: 10_000,
};

test('a terminal gets a bar, CI and pipes get plain lines, --json gets JSON', () => {
  assert.equal(reporterMode(false, { isTTY: true }, {}), 'tty');
  assert.equal(reporterMode(false, { isTTY: true }, { CI: 'true' }), 'plain');
  assert.equal(reporterMode(false, { isTTY: false }, {}), 'plain');
  assert.equal(reporterMode(true, { isTTY: true }, {}), 'json');
});

test('the bar redraws one line with rate, ETA, sent, skipped and failed', () => {
  const err = sink();
  const out = sink();
  const r = new ProgressReporter({ mode: 'tty', err: err.stream, out: out.stream });
  r.stop(progress);
  const text = err.text();
  assert.match(text, /\r\x1b\[2K/);
  assert.match(text, /50\.5% 5,047\/10,000/);
  assert.match(text, /sent 3,000 skipped 40 failed 7/);
  assert.match(text, /ETA \d+s|ETA \dm/);
  assert.equal(out.text(), '', 'progress never mixes into stdout');
});

test('the bar line never wraps, however narrow the terminal', () => {
  for (const columns of [120, 80, 50]) {
    const err = sink();
    err.stream.columns = columns;
    new ProgressReporter({ mode: 'tty', err: err.stream, out: sink().stream }).stop(progress);
    const visible = err.text().replace(/\r|\x1b\[2K|\n/g, '');
    assert.ok(visible.length < columns, `${visible.length} characters on a ${columns}-column terminal`);
    assert.match(visible, /sent 3,000/);
  }
});

test('plain mode prints a self-contained line per tick and notable events', async () => {
  const err = sink();
  const r = new ProgressReporter({ mode: 'plain', err: err.stream, out: sink().stream, plainIntervalMs: 10 });
  r.start(() => progress);
  for (let waited = 0; !err.text().includes('\n') && waited < 5000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  r.stop();
  const lines = err.text().trim().split('\n');
  assert.match(lines[0]!, /^\[campaign\] 50\.5% 5,047\/10,000 sent 3,000 skipped 40 failed 7 rate [\d,]+\/s ETA \S+$/);
  r.event({ type: 'throttled', rate: 200 });
  r.event({ type: 'stopping', reason: 'budget_exhausted', code: 'NOT_ENOUGH', message: '批次预算不足' });
  assert.match(err.text(), /slowing to 200\/s/);
  assert.match(err.text(), /stopping: budget_exhausted \(NOT_ENOUGH: 批次预算不足\)/);
});

test('JSON mode writes one parseable event per line on stdout', () => {
  const out = sink();
  const r = new ProgressReporter({ mode: 'json', err: sink().stream, out: out.stream });
  r.event({ type: 'skipped', openid: 'o1', reason: 'user_limit', code: 'REQUEST_BLOCKED', message: '用户被限领拦截' });
  const e = JSON.parse(out.text()) as Record<string, unknown>;
  assert.deepEqual([e['type'], e['openid'], e['reason']], ['skipped', 'o1', 'user_limit']);
});

test('durations read naturally', () => {
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(125_000), '2m05s');
  assert.equal(formatDuration(3_780_000), '1h03m');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '--');
});
