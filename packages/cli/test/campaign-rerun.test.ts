import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FetchLike } from '@wxcoupon/sdk';
import type { CommandIO } from '../src/campaign/command/io.js';
import { RateLimiter } from '../src/campaign/engine/rate-limiter.js';
import { RetryPolicy } from '../src/campaign/engine/retry-policy.js';
import { CampaignRunner } from '../src/campaign/engine/runner.js';
import type { Sender, SendOutcome } from '../src/campaign/engine/sender.js';
import { Journal } from '../src/campaign/store/journal.js';
import { campaign } from '../src/commands/campaign.js';
import { openids } from './campaign-helpers.js';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';

// What a rerun does after a run that issued nothing: the exit status says so, a corrected input is used, and a
// refused connection leaves recipients as not sent (nothing reached the server), not as unknown.

let tp: TestPlatform;
before(async () => {
  tp = await startTestPlatform();
});
after(() => tp.close());

function quietIO(fetch?: FetchLike): { io: CommandIO; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  stderr.resume();
  const io: CommandIO = { stdout, stderr, stdin: Readable.from([]), env: { CI: '1' }, ...(fetch ? { fetch } : {}) };
  return { io, out: () => out };
}

function summaryOf(out: string): { totals: Record<string, number> } {
  const last = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  return JSON.parse(last ?? '{}');
}

let n = 0;
function paths() {
  n++;
  return { input: join(tp.dir, `rerun-${n}.csv`), journal: join(tp.dir, `rerun-${n}.sqlite`) };
}

test('a run in which every recipient failed exits 4; rerun with the corrected CSV, it sends with the corrected rows', async () => {
  const stockId = await tp.createStock(100);
  const ids = openids(5, 'oRerun');
  const f = paths();
  // coupon_value is for stocks with 指定面额 only: on this stock every row is refused, each for its own fields.
  writeFileSync(f.input, `openid,coupon_value\n${ids.map((id) => `${id},50`).join('\n')}\n`);
  const args = ['run', '--credentials', tp.credentialsFile(), '--stock', stockId, '--input', f.input];
  const first = quietIO();
  const code = await campaign([...args, '--journal', f.journal, '--json'], first.io);
  assert.equal(code, 4, first.out());
  assert.equal(summaryOf(first.out()).totals.failed, 5);

  writeFileSync(f.input, `openid,coupon_value\n${ids.map((id) => `${id},`).join('\n')}\n`);
  const second = quietIO();
  assert.equal(await campaign([...args, '--journal', f.journal, '--json'], second.io), 0, second.out());
  assert.equal(summaryOf(second.out()).totals.sent, 5);
  const j = Journal.open(f.journal, { readonly: true });
  try {
    for (const row of j.all()) {
      assert.equal(row.state, 'sent');
      assert.deepEqual(await tp.couponsOf(row.openid, stockId), [row.coupon]);
    }
  } finally {
    j.close();
  }
});

test('a corrected input changes no recipient already sent, and within one input the first row of an openid wins', async () => {
  const stockId = await tp.createStock(100);
  const [a, b] = openids(2, 'oFirstWins') as [string, string];
  const f = paths();
  writeFileSync(f.input, `openid,coupon_value\n${a},\n${b},50\n${b},\n`);
  const args = ['run', '--credentials', tp.credentialsFile(), '--stock', stockId, '--input', f.input];
  const first = quietIO();
  await campaign([...args, '--journal', f.journal, '--json'], first.io);
  const rows = () => {
    const j = Journal.open(f.journal, { readonly: true });
    try {
      return new Map([...j.all()].map((r) => [r.openid, r]));
    } finally {
      j.close();
    }
  };
  assert.equal(rows().get(a)?.state, 'sent');
  assert.equal(rows().get(b)?.state, 'failed', 'the first row of b (coupon_value 50) was the one sent');
  const sentCoupon = rows().get(a)?.coupon;

  writeFileSync(f.input, `openid,coupon_value\n${a},70\n${b},\n`);
  const second = quietIO();
  assert.equal(await campaign([...args, '--journal', f.journal, '--json'], second.io), 0, second.out());
  assert.equal(rows().get(a)?.coupon, sentCoupon, 'a sent recipient is left alone');
  assert.deepEqual(rows().get(a)?.fields, {}, 'and keeps the fields it was sent with');
  assert.equal(rows().get(b)?.state, 'sent');
});

test('a refused connection leaves recipients not sent, never unknown', async () => {
  // A port that was just free: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const f = paths();
  writeFileSync(f.input, openids(3, 'oRefused').join('\n'));
  const out = quietIO();
  const code = await campaign(
    [
      'run',
      ...['--credentials', tp.credentialsFile(`http://127.0.0.1:${port}`), '--stock', '1', '--input', f.input],
      ...['--journal', f.journal, '--max-attempts', '2', '--retry-base-ms', '1', '--json'],
    ],
    out.io,
  );
  assert.equal(code, 3, out.out());
  const totals = summaryOf(out.out()).totals;
  assert.equal(totals.unknown, 0);
  assert.equal(totals.notSent, 3);
});

test('many sends backing off at once, with a stop signal, raise no MaxListenersExceededWarning', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const f = paths();
  writeFileSync(f.input, openids(200, 'oBackoff').join('\n'));
  const journal = Journal.open(f.journal);
  journal.create({ campaignId: 'c-backoff', api: 'favor', stockId: 's', mchid: 'm', createdAt: '' });
  const { ingestInput } = await import('../src/campaign/input/ingest.js');
  await ingestInput({ journal, input: f.input, keyLength: 32, fields: [] });
  let calls = 0;
  // Every first attempt is throttled, so every send waits out a backoff on the same signal.
  const sender: Sender = {
    api: 'favor',
    fields: [],
    async send(): Promise<SendOutcome> {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      return calls <= 200
        ? { ok: false, failure: { kind: 'api', status: 429, code: 'FREQUENCY_LIMIT_EXCEED', message: '限频' } }
        : { ok: true, coupon: String(calls) };
    },
  };
  const controller = new AbortController();
  try {
    const outcome = await new CampaignRunner({
      journal,
      sender,
      limiter: new RateLimiter({ qps: 100_000 }),
      retry: new RetryPolicy({ baseMs: 20, capMs: 40, budget: 1000 }),
      concurrency: 64,
      signal: controller.signal,
    }).run();
    assert.equal(outcome.progress.sent, 200);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  } finally {
    process.off('warning', onWarning);
    journal.close();
  }
});
