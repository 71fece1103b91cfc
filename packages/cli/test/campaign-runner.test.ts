import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Failure } from '../src/campaign/engine/failure.js';
import { RateLimiter } from '../src/campaign/engine/rate-limiter.js';
import { RetryPolicy } from '../src/campaign/engine/retry-policy.js';
import { CampaignRunner } from '../src/campaign/engine/runner.js';
import type { Sender, SendOutcome, SendRequest } from '../src/campaign/engine/sender.js';
import { ingestInput } from '../src/campaign/input/ingest.js';
import { Journal } from '../src/campaign/store/journal.js';
import { openids, tempDir } from './campaign-helpers.js';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;

/**
 * An issuer with WeChat's idempotency rule (a repeated key returns the first coupon), a budget, and a script of
 * failures per call, so the runner's decisions can be checked one by one. The end-to-end tests use the platform.
 */
class ScriptedIssuer implements Sender {
  readonly api = 'favor' as const;
  readonly fields = [] as const;
  readonly byKey = new Map<string, string>();
  readonly keysSeen: string[] = [];
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  budget: number;
  script: (call: number, r: SendRequest) => Failure | 'issue-then-timeout' | undefined;

  constructor(budget = Number.POSITIVE_INFINITY, script: ScriptedIssuer['script'] = () => undefined) {
    this.budget = budget;
    this.script = script;
  }

  async send(r: SendRequest): Promise<SendOutcome> {
    const call = ++this.calls;
    this.keysSeen.push(r.requestNo);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    const scripted = this.script(call, r);
    if (scripted && scripted !== 'issue-then-timeout') return { ok: false, failure: scripted };
    let coupon = this.byKey.get(r.requestNo);
    if (!coupon) {
      if (this.budget <= 0) {
        return { ok: false, failure: { kind: 'api', status: 403, code: 'NOT_ENOUGH', message: '批次预算不足' } };
      }
      this.budget--;
      coupon = String(100000 + this.byKey.size);
      this.byKey.set(r.requestNo, coupon);
    }
    if (scripted === 'issue-then-timeout') return { ok: false, failure: { kind: 'timeout', message: 'no answer' } };
    return { ok: true, coupon };
  }
}

async function journalWith(count: number): Promise<{ journal: Journal; file: string; ids: string[] }> {
  const file = join(tmp.dir, `r${n++}.sqlite`);
  const input = join(tmp.dir, `r${n}.txt`);
  const ids = openids(count);
  writeFileSync(input, ids.join('\n'));
  const journal = Journal.open(file);
  journal.create({ campaignId: `c${n}`, api: 'favor', stockId: 's', mchid: 'm', createdAt: '' });
  await ingestInput({ journal, input, keyLength: 32, fields: [] });
  return { journal, file, ids };
}

function runner(journal: Journal, sender: Sender, extra: { qps?: number; concurrency?: number; budget?: number } = {}) {
  return new CampaignRunner({
    journal,
    sender,
    limiter: new RateLimiter({ qps: extra.qps ?? 5000 }),
    retry: new RetryPolicy({ baseMs: 1, capMs: 5, budget: extra.budget ?? 200 }),
    concurrency: extra.concurrency ?? 8,
  });
}

test('every recipient gets one coupon, within the concurrency cap', async () => {
  const { journal } = await journalWith(300);
  const issuer = new ScriptedIssuer();
  const outcome = await runner(journal, issuer, { concurrency: 5 }).run();
  assert.equal(outcome.stop, undefined);
  assert.equal(outcome.progress.sent, 300);
  assert.equal(issuer.byKey.size, 300);
  assert.equal(issuer.maxInFlight, 5, 'the cap is reached and never passed');
  const rows = [...journal.all()];
  assert.ok(rows.every((r) => r.state === 'sent' && r.coupon && r.attempts === 1));
  journal.close();
});

test('a timed-out send is settled by retrying with the same key, not by issuing again', async () => {
  const { journal } = await journalWith(50);
  const issuer = new ScriptedIssuer(Number.POSITIVE_INFINITY, (call) =>
    call % 5 === 0 ? 'issue-then-timeout' : undefined,
  );
  const outcome = await runner(journal, issuer).run();
  assert.equal(outcome.progress.sent, 50);
  assert.equal(issuer.byKey.size, 50, 'no recipient was issued twice');
  const retried = [...journal.all()].filter((r) => r.attempts > 1);
  assert.ok(retried.length >= 9);
  for (const r of retried) {
    assert.equal(issuer.keysSeen.filter((k) => k === r.requestNo).length, r.attempts, 'each attempt reused the key');
  }
  journal.close();
});

test('a person-specific refusal skips only that person, with the reason recorded', async () => {
  const { journal, ids } = await journalWith(20);
  const issuer = new ScriptedIssuer(Number.POSITIVE_INFINITY, (_, r) =>
    r.openid === ids[7] ? { kind: 'api', status: 403, code: 'USER_ACCOUNT_ABNORMAL', message: '用户非法' } : undefined,
  );
  const outcome = await runner(journal, issuer).run();
  assert.equal(outcome.progress.sent, 19);
  assert.equal(outcome.progress.skipped, 1);
  const row = [...journal.all()][7]!;
  assert.deepEqual([row.state, row.errorCode, row.errorMessage], ['skipped', 'USER_ACCOUNT_ABNORMAL', '用户非法']);
  journal.close();
});

test('an exhausted budget stops the campaign and leaves the rest as not sent', async () => {
  const { journal } = await journalWith(200);
  const issuer = new ScriptedIssuer(60);
  const outcome = await runner(journal, issuer, { concurrency: 4 }).run();
  assert.equal(outcome.stop?.reason, 'budget_exhausted');
  assert.equal(outcome.progress.sent, 60);
  const rows = [...journal.all()];
  assert.equal(rows.filter((r) => r.state === 'sent').length, 60);
  assert.equal(rows.filter((r) => r.state === 'pending').length, 140);
  assert.ok(issuer.calls <= 60 + 4, `only requests already in flight followed the stop (${issuer.calls} calls)`);
  journal.close();
});

test('a second run sends only to those the first left, with their original keys', async () => {
  const { journal, file } = await journalWith(120);
  const issuer = new ScriptedIssuer(50);
  await runner(journal, issuer).run();
  journal.close();
  issuer.budget = Number.POSITIVE_INFINITY;
  const again = Journal.open(file);
  const outcome = await runner(again, issuer).run();
  assert.equal(outcome.progress.settledBefore, 50);
  assert.equal(outcome.progress.sent, 70);
  assert.equal(issuer.byKey.size, 120);
  again.close();
});

test('when transient failures outlast the retry budget the recipient is deferred, and a run of them stops', async () => {
  const { journal } = await journalWith(100);
  const issuer = new ScriptedIssuer(Number.POSITIVE_INFINITY, () => ({
    kind: 'api',
    status: 500,
    code: 'SYSTEM_ERROR',
    message: '系统错误',
  }));
  const r = new CampaignRunner({
    journal,
    sender: issuer,
    limiter: new RateLimiter({ qps: 5000 }),
    retry: new RetryPolicy({ baseMs: 1, capMs: 2, budget: 10 }),
    concurrency: 2,
    unavailableAfter: 20,
  });
  const outcome = await r.run();
  assert.equal(outcome.stop?.reason, 'unavailable');
  const rows = [...journal.all()];
  assert.ok(rows.filter((x) => x.state === 'deferred').length >= 20);
  assert.ok(
    rows.filter((x) => x.state === 'deferred').every((x) => x.uncertain),
    'a 500 may have issued',
  );
  assert.equal(rows.filter((x) => x.state === 'sent').length, 0);
  journal.close();
});

test('aborting stops the intake and records the requests in flight', async () => {
  const { journal } = await journalWith(500);
  const issuer = new ScriptedIssuer();
  const controller = new AbortController();
  const r = new CampaignRunner({
    journal,
    sender: issuer,
    limiter: new RateLimiter({ qps: 1000 }),
    retry: new RetryPolicy(),
    concurrency: 4,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 60);
  const outcome = await r.run();
  assert.equal(outcome.stop?.reason, 'interrupted');
  const sent = [...journal.all()].filter((x) => x.state === 'sent').length;
  assert.equal(sent, issuer.byKey.size, 'every issued coupon is journaled');
  assert.ok(sent > 0 && sent < 500);
  journal.close();
});

test('a send that throws ends the run with its error, after the sends in flight are recorded', async () => {
  const { journal } = await journalWith(200);
  const issuer = new ScriptedIssuer();
  const send = issuer.send.bind(issuer);
  issuer.send = async (r) => {
    if (issuer.calls === 40) {
      issuer.calls++;
      throw new Error('disk full');
    }
    return send(r);
  };
  await assert.rejects(runner(journal, issuer, { concurrency: 6 }).run(), /disk full/);
  const rows = [...journal.all()];
  const sent = rows.filter((x) => x.state === 'sent').length;
  assert.equal(sent, issuer.byKey.size, 'every issued coupon is journaled');
  assert.ok(sent >= 40 && sent < 60, `intake stopped at the error (sent ${sent})`);
  assert.equal(
    rows.filter((x) => x.state === 'sent' || x.attempts === 0).length,
    199,
    'only the failed one is left mid-way',
  );
  journal.close();
});

test('the same parameter error on row after row stops the campaign and leaves those rows to a rerun', async () => {
  const { journal } = await journalWith(100);
  const issuer = new ScriptedIssuer(Number.POSITIVE_INFINITY, () => ({
    kind: 'api',
    status: 400,
    code: 'PARAM_ERROR',
    message: 'coupon_code 必填',
  }));
  const r = new CampaignRunner({
    journal,
    sender: issuer,
    limiter: new RateLimiter({ qps: 5000 }),
    retry: new RetryPolicy(),
    concurrency: 1,
    misconfiguredAfter: 10,
  });
  const outcome = await r.run();
  assert.equal(outcome.stop?.reason, 'misconfigured');
  assert.equal(outcome.progress.failed, 0);
  const rows = [...journal.all()];
  assert.equal(rows.filter((x) => x.state === 'failed').length, 0, 'nobody is failed for good by a setup error');
  assert.equal(rows.filter((x) => x.attempts > 0).length, 10);
  journal.close();
});

test('memory stays flat while sending: nothing is kept per recipient', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { journal } = await journalWith(30_000);
  let sent = 0;
  const samples: number[] = [];
  const sender: Sender = {
    api: 'favor',
    fields: [],
    async send() {
      sent++;
      if (sent % 7_500 === 0) {
        gc();
        samples.push(process.memoryUsage().heapUsed);
      }
      await new Promise((resolve) => setImmediate(resolve));
      return { ok: true, coupon: String(sent) };
    },
  };
  const outcome = await runner(journal, sender, { qps: 1_000_000, concurrency: 64 }).run();
  assert.equal(outcome.progress.sent, 30_000);
  const growth = samples.at(-1)! - samples[0]!;
  assert.ok(growth < 2 * 1024 * 1024, `heap grew by ${(growth / 1048576).toFixed(1)} MB over 22,500 sends`);
  journal.close();
});
