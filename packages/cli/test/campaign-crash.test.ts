import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Journal } from '../src/campaign/store/journal.js';
import { openids } from './campaign-helpers.js';
import { eachLimited, startTestPlatform, type TestPlatform } from './campaign-platform.js';

const CLI = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let tp: TestPlatform;
const children = new Set<ChildProcess>();

before(async () => {
  tp = await startTestPlatform();
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await tp.close();
});

function startCli(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, 'campaign', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return { child, stdout: () => out, stderr: () => err };
}

function sentInJournal(file: string): number {
  try {
    const j = Journal.open(file, { readonly: true });
    try {
      return j.counts().find((c) => c.state === 'sent')?.count ?? 0;
    } finally {
      j.close();
    }
  } catch {
    return 0;
  }
}

test('a campaign killed with SIGKILL part way and rerun gives every recipient exactly one coupon', async () => {
  const stockId = await tp.createStock(10_000);
  const ids = openids(2000, 'oKill');
  const input = join(tp.dir, 'kill.txt');
  writeFileSync(input, `${ids.join('\n')}\n`);
  const journal = join(tp.dir, 'kill.sqlite');
  const args = [
    'run',
    '--credentials',
    tp.credentialsFile(),
    '--stock',
    stockId,
    '--input',
    input,
    '--journal',
    journal,
    '--qps',
    '600',
    '--concurrency',
    '32',
    '--json',
  ];

  // Two kills at different points, each while requests are in flight.
  for (const threshold of [400, 1100]) {
    const run = startCli(args);
    while (sentInJournal(journal) < threshold) {
      assert.equal(run.child.exitCode, null, `the run ended before it was killed: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    run.child.kill('SIGKILL');
    const [, signal] = await once(run.child, 'exit');
    assert.equal(signal, 'SIGKILL');
  }
  const killedAt = sentInJournal(journal);
  assert.ok(killedAt < ids.length, 'the kills came before the end');

  const last = startCli(args);
  const [code] = await once(last.child, 'exit');
  assert.equal(code, 0, last.stderr());
  const summary = JSON.parse(last.stdout().trim().split('\n').at(-1)!) as {
    type: string;
    state: string;
    totals: { sent: number; total: number };
  };
  assert.equal(summary.type, 'summary');
  assert.equal(summary.state, 'completed');
  assert.deepEqual([summary.totals.total, summary.totals.sent], [2000, 2000]);

  const j = Journal.open(journal, { readonly: true });
  const expected = new Map([...j.all()].map((r) => [r.openid, r.coupon]));
  j.close();
  let checked = 0;
  await eachLimited(ids, 16, async (openid) => {
    const coupons = await tp.couponsOf(openid, stockId);
    assert.deepEqual(coupons, [expected.get(openid)], `${openid} holds exactly the journaled coupon`);
    checked++;
  });
  assert.equal(checked, 2000);
  assert.equal(await tp.distributed(stockId), 2000, "the stock's count equals the successes");
});

test('a campaign killed while it reads its list resumes the read and journals every recipient once', async () => {
  const stockId = await tp.createStock(5);
  const input = join(tp.dir, 'long.csv');
  const lines = 120_000;
  const body = Array.from({ length: lines }, (_, i) => `"Reader, no. ${i}",oRead${String(i).padStart(23, '0')}`);
  writeFileSync(input, `name,openid\n${body.join('\n')}\n`);
  const journal = join(tp.dir, 'read.sqlite');
  const args = [
    'run',
    '--credentials',
    tp.credentialsFile(),
    '--stock',
    stockId,
    '--input',
    input,
    '--journal',
    journal,
  ];

  const run = startCli([...args, '--quiet']);
  let partial = 0;
  while (partial === 0) {
    assert.equal(run.child.exitCode, null, `the read ended before it was killed: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 5));
    try {
      const j = Journal.open(journal, { readonly: true });
      const ingest = j.meta()?.ingest;
      j.close();
      if (ingest && ingest.rows > 0 && !ingest.done) partial = ingest.rows;
    } catch {}
  }
  run.child.kill('SIGKILL');
  await once(run.child, 'exit');
  assert.ok(partial < lines, 'killed part way through the list');

  // The rerun finishes the read from the saved offset, then stops on the tiny budget.
  const rerun = startCli([...args, '--quiet']);
  const [code] = await once(rerun.child, 'exit');
  assert.equal(code, 2, rerun.stderr());
  assert.match(rerun.stdout(), /stopped on NOT_ENOUGH/);
  const j = Journal.open(journal, { readonly: true });
  const meta = j.meta()!;
  let rows = 0;
  let last = '';
  for (const r of j.all()) {
    rows++;
    last = r.openid;
  }
  j.close();
  assert.equal(meta.ingest.done, true);
  assert.equal(rows, lines, 'every line once: none lost at the kill, none read twice after it');
  assert.equal(meta.ingest.duplicates, 0);
  assert.equal(last, `oRead${String(lines - 1).padStart(23, '0')}`);
});
