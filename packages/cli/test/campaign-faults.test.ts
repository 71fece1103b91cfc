import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FetchLike } from '@wxcoupon/sdk';
import type { CommandIO } from '../src/campaign/command/io.js';
import { Journal } from '../src/campaign/store/journal.js';
import { campaign } from '../src/commands/campaign.js';
import { openids } from './campaign-helpers.js';
import { eachLimited, startTestPlatform, type TestPlatform } from './campaign-platform.js';

let tp: TestPlatform;
before(async () => {
  tp = await startTestPlatform();
});
after(async () => {
  await tp.close();
});

type Fault = 'throttle' | 'timeout' | 'lost-answer' | 'network' | undefined;

/**
 * Sits between the CLI and the real platform, in the same process. `timeout` lets the platform issue, then holds
 * the answer past the client's deadline; `lost-answer` lets it issue and answers 500; `throttle` answers 429
 * without forwarding; `network` fails before anything is sent.
 */
function faultInjector(inner: FetchLike, plan: (n: number) => Fault, holdMs: number) {
  const log = { calls: 0, faults: [] as { fault: Fault; key: string }[] };
  const fetch: FetchLike = async (req) => {
    const n = ++log.calls;
    const fault = plan(n);
    if (!fault) return inner(req);
    const body = (await req
      .clone()
      .json()
      .catch(() => ({}))) as { out_request_no?: string };
    log.faults.push({ fault, key: body.out_request_no ?? '' });
    switch (fault) {
      case 'throttle':
        return Response.json({ code: 'FREQUENCY_LIMIT_EXCEED', message: '接口限频' }, { status: 429 });
      case 'network':
        throw new TypeError('fetch failed: socket hang up');
      case 'lost-answer':
        await inner(req);
        return Response.json({ code: 'SYSTEM_ERROR', message: '系统错误' }, { status: 500 });
      case 'timeout': {
        const answer = await inner(req);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        return answer;
      }
    }
  };
  return { fetch, log };
}

function captureIO(extra: Partial<CommandIO> = {}): { io: CommandIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const io: CommandIO = { stdout, stderr, stdin: Readable.from([]), env: { CI: '1' }, ...extra };
  return { io, out: () => out, err: () => err };
}

function events(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function journalRows(file: string) {
  const j = Journal.open(file, { readonly: true });
  try {
    return [...j.all()];
  } finally {
    j.close();
  }
}

let seq = 0;
function files(ids: string[]) {
  const n = seq++;
  const input = join(tp.dir, `faults-${n}.txt`);
  writeFileSync(input, ids.join('\n'));
  return { input, journal: join(tp.dir, `faults-${n}.sqlite`), out: join(tp.dir, `faults-${n}.csv`) };
}

test('429 bursts slow the campaign down, and timed-out or unanswered sends are settled with the same key', async () => {
  const stockId = await tp.createStock(5000);
  const ids = openids(600, 'oFault');
  const f = files(ids);
  const plan = (n: number): Fault => {
    if ((n > 60 && n <= 110) || (n > 300 && n <= 330)) return 'throttle';
    if (n % 41 === 0) return 'timeout';
    if (n % 53 === 0) return 'lost-answer';
    if (n % 67 === 0) return 'network';
    return undefined;
  };
  const injector = faultInjector(tp.platform.fetch as FetchLike, plan, 1500);
  const { io, out } = captureIO({ fetch: injector.fetch });
  const code = await campaign(
    [
      'run',
      ...['--credentials', tp.credentialsFile(), '--stock', stockId, '--input', f.input, '--journal', f.journal],
      ...['--qps', '400', '--concurrency', '16', '--timeout', '1000', '--retry-base-ms', '20', '--json'],
    ],
    io,
  );
  assert.equal(code, 0);
  const ev = events(out());
  const throttled = ev.filter((e) => e['type'] === 'throttled');
  assert.ok(throttled.length >= 2, 'each burst lowered the rate');
  assert.ok(
    throttled.every((e) => (e['rate'] as number) < 210),
    'the rate at least halved',
  );
  const summary = ev.at(-1) as { totals: { sent: number }; run: { throttles: number; retries: number } };
  assert.equal(summary.totals.sent, 600);

  const rows = new Map(journalRows(f.journal).map((r) => [r.requestNo, r]));
  const uncertain = injector.log.faults.filter((x) => x.fault === 'timeout' || x.fault === 'lost-answer');
  assert.ok(uncertain.length >= 15);
  for (const { key } of uncertain) {
    const row = rows.get(key)!;
    assert.ok(row.attempts >= 2, 'the recipient was asked again');
    assert.deepEqual(
      await tp.couponsOf(row.openid, stockId),
      [row.coupon],
      'and the first coupon came back, no second',
    );
  }
  let holders = 0;
  await eachLimited(ids, 16, async (openid) => {
    if ((await tp.couponsOf(openid, stockId)).length === 1) holders++;
  });
  assert.equal(holders, 600);
  assert.equal(await tp.distributed(stockId), 600);
});

test('a budget that runs out mid-campaign stops it cleanly, and the rest are recorded as not sent', async () => {
  const stockId = await tp.createStock(300);
  const ids = openids(500, 'oBudget');
  const f = files(ids);
  const { io, out } = captureIO({ fetch: tp.platform.fetch as FetchLike });
  const base = ['--credentials', tp.credentialsFile(), '--stock', stockId, '--input', f.input, '--journal', f.journal];
  const code = await campaign(['run', ...base, '--qps', '1000', '--out', f.out], io);
  assert.equal(code, 2);
  assert.match(out(), /stopped on NOT_ENOUGH/);

  const lines = readFileSync(f.out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'openid,result,coupon,error_code,attempts,error_message');
  const results = lines.slice(1).map((l) => l.split(','));
  assert.equal(results.length, 500);
  assert.equal(results.filter((r) => r[1] === 'sent' && r[2] !== '').length, 300);
  assert.equal(results.filter((r) => r[1] === 'not_sent').length, 200);
  let holders = 0;
  await eachLimited(ids, 16, async (openid) => {
    const held = await tp.couponsOf(openid, stockId);
    holders += held.length;
  });
  assert.equal(holders, 300);
  assert.equal(await tp.distributed(stockId), 300);

  const status = captureIO();
  assert.equal(await campaign(['status', '--journal', f.journal, '--json'], status.io), 0);
  const report = JSON.parse(status.out()) as { state: string; stop: { code: string }; totals: { notSent: number } };
  assert.deepEqual([report.state, report.stop.code, report.totals.notSent], ['stopped', 'NOT_ENOUGH', 200]);

  // Rerunning with the budget still gone stops again at once without sending anyone twice.
  const again = captureIO({ fetch: tp.platform.fetch as FetchLike });
  assert.equal(await campaign(['run', ...base, '--qps', '1000', '--quiet'], again.io), 2);
  assert.equal(await tp.distributed(stockId), 300);
});

test('CSV from stdin: abnormal users are skipped with their reason and the rest are sent', async () => {
  const stockId = await tp.createStock(1000, { preventApiAbuse: true });
  const ids = openids(40, 'oCsv');
  for (const openid of [ids[3]!, ids[17]!]) await tp.markAbnormal(openid);
  const csv = `name,openid\n${ids.map((id, i) => `"user ${i}",${id}`).join('\n')}\n`;
  const f = files([]);
  const { io, out, err } = captureIO({
    fetch: tp.platform.fetch as FetchLike,
    stdin: Readable.from([Buffer.from(csv)]),
  });
  const code = await campaign(
    ['run', '--credentials', tp.credentialsFile(), '--stock', stockId, '--input', '-', '--journal', f.journal],
    io,
  );
  assert.equal(code, 0, err());
  assert.match(out(), /sent\s+38/);
  assert.match(out(), /skipped\s+2/);
  const skipped = journalRows(f.journal).filter((r) => r.state === 'skipped');
  assert.deepEqual(
    skipped.map((r) => [r.openid, r.errorCode]),
    [
      [ids[3], 'USER_ACCOUNT_ABNORMAL'],
      [ids[17], 'USER_ACCOUNT_ABNORMAL'],
    ],
  );
});

test('credentials the platform rejects stop the campaign before anyone is sent', async () => {
  const stockId = await tp.createStock(100);
  const f = files(openids(30, 'oCred'));
  const good = JSON.parse(readFileSync(tp.credentialsFile(), 'utf8')) as Record<string, string>;
  const bad = join(tp.dir, 'bad-credentials.json');
  writeFileSync(bad, JSON.stringify({ ...good, serial: '0123456789ABCDEF' }));
  const { io, out } = captureIO({ fetch: tp.platform.fetch as FetchLike });
  const code = await campaign(
    ['run', '--credentials', bad, '--stock', stockId, '--input', f.input, '--journal', f.journal],
    io,
  );
  assert.equal(code, 2);
  assert.match(out(), /stopped on SIGN_ERROR/);
  assert.equal(await tp.distributed(stockId), 0);
  assert.ok(journalRows(f.journal).every((r) => r.state === 'pending'));
});

test('a journal is refused for a different stock, and bad options are explained', async () => {
  const stockId = await tp.createStock(10);
  const f = files(openids(3, 'oJ'));
  const base = ['--credentials', tp.credentialsFile(), '--input', f.input, '--journal', f.journal];
  const first = captureIO({ fetch: tp.platform.fetch as FetchLike });
  assert.equal(await campaign(['run', ...base, '--stock', stockId, '--quiet'], first.io), 0);
  await assert.rejects(campaign(['run', ...base, '--stock', '999'], captureIO().io), /belongs to another campaign/);
  await assert.rejects(campaign(['run', ...base, '--stock', stockId, '--qps', '0'], captureIO().io), /--qps/);
  await assert.rejects(campaign(['run', '--stock', stockId], captureIO().io), /missing --credentials/);
});
