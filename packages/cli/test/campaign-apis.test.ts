import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FetchLike } from '@wxcoupon/sdk';
import type { CommandIO } from '../src/campaign/command/io.js';
import { Journal } from '../src/campaign/store/journal.js';
import { campaign } from '../src/commands/campaign.js';
import { openids } from './campaign-helpers.js';
import { eachLimited, startTestPlatform, type TestPlatform } from './campaign-platform.js';

// The other senders (商家券, 商品券) against the platform: each recipient holds exactly one coupon, per-row
// fields reach the API, and a stock the API cannot issue stops the campaign before anyone is sent.

let tp: TestPlatform;
before(async () => {
  tp = await startTestPlatform();
});
after(async () => {
  await tp.close();
});

function io(fetch: FetchLike, stdin: Buffer = Buffer.alloc(0)): { io: CommandIO; out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => {
    out += d;
  });
  return {
    io: { stdout, stderr: new PassThrough(), stdin: Readable.from([stdin]), env: { CI: '1' }, fetch },
    out: () => out,
  };
}

/** Lets every 7th send reach the platform, then withholds the answer past the client's timeout. */
function withTimeouts(inner: FetchLike): FetchLike {
  let n = 0;
  return async (req) => {
    // Numbered on arrival: answers come back later, after other sends have arrived.
    const nth = ++n;
    const answer = await inner(req);
    if (nth % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1500));
    return answer;
  };
}

let seq = 0;
function journalFile(): string {
  return join(tp.dir, `apis-${seq++}.sqlite`);
}

test('busifavor: timed-out sends are settled with the same key and everyone holds one coupon', async () => {
  const stockId = await tp.createBusifavorStock('WECHATPAY_MODE', 1000);
  const ids = openids(150, 'oBusi');
  const input = join(tp.dir, 'busi.txt');
  writeFileSync(input, ids.join('\n'));
  const journal = journalFile();
  const run = io(withTimeouts(tp.platform.fetch as FetchLike));
  const args = ['--credentials', tp.credentialsFile(), '--stock', stockId, '--input', input, '--journal', journal];
  const code = await campaign(
    ['run', ...args, '--api', 'busifavor', '--timeout', '1000', '--retry-base-ms', '10'],
    run.io,
  );
  assert.equal(code, 0, run.out());

  const j = Journal.open(journal, { readonly: true });
  const rows = [...j.all()];
  j.close();
  assert.ok(
    rows.some((r) => r.attempts > 1),
    'some sends timed out and were asked again',
  );
  await eachLimited(rows, 8, async (r) => {
    assert.deepEqual(await tp.busifavorCodesOf(r.openid, stockId), [r.coupon]);
  });
  assert.equal(await tp.busifavorSent(stockId), 150);
});

test('busifavor MERCHANT_API: the coupon_code column is sent per row', async () => {
  const stockId = await tp.createBusifavorStock('MERCHANT_API', 100);
  const ids = openids(12, 'oCode');
  const csv = `openid,coupon_code\n${ids.map((id, i) => `${id},SPRING${String(i).padStart(4, '0')}`).join('\n')}\n`;
  const run = io(tp.platform.fetch as FetchLike, Buffer.from(csv));
  const code = await campaign(
    ['run', '--credentials', tp.credentialsFile(), '--stock', stockId, '--input', '-', '--journal', journalFile()],
    run.io,
  );
  assert.equal(code, 2, 'a missing --api means favor, which does not know this stock');
  const busi = io(tp.platform.fetch as FetchLike, Buffer.from(csv));
  const journal = journalFile();
  const args = ['--credentials', tp.credentialsFile(), '--stock', stockId, '--input', '-', '--journal', journal];
  assert.equal(await campaign(['run', ...args, '--api', 'busifavor'], busi.io), 0, busi.out());
  for (const [i, id] of ids.entries()) {
    assert.deepEqual(await tp.busifavorCodesOf(id, stockId), [`SPRING${String(i).padStart(4, '0')}`]);
  }
});

test('product: a 商品券 stock issues to everyone; a stock without product info stops the campaign', async () => {
  const productStock = await tp.createBusifavorStock('WECHATPAY_MODE', 100, true);
  const ids = openids(20, 'oProd');
  const input = join(tp.dir, 'prod.csv');
  writeFileSync(input, `openid,coupon_type\n${ids.map((id) => `${id},NORMAL`).join('\n')}\n`);
  const ok = io(tp.platform.fetch as FetchLike);
  const base = ['--credentials', tp.credentialsFile(), '--input', input, '--api', 'product'];
  assert.equal(await campaign(['run', ...base, '--stock', productStock, '--journal', journalFile()], ok.io), 0);
  for (const id of ids) assert.equal((await tp.busifavorCodesOf(id, productStock)).length, 1);

  const plainStock = await tp.createBusifavorStock('WECHATPAY_MODE', 100);
  const refused = io(tp.platform.fetch as FetchLike);
  assert.equal(await campaign(['run', ...base, '--stock', plainStock, '--journal', journalFile()], refused.io), 2);
  assert.match(refused.out(), /stock_unsuitable/);
  assert.equal(await tp.busifavorSent(plainStock), 0);
});
