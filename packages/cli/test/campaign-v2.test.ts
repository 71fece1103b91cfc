import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { CommandIO } from '../src/campaign/command/io.js';
import { Journal } from '../src/campaign/store/journal.js';
import { campaign } from '../src/commands/campaign.js';
import { openids } from './campaign-helpers.js';
import { eachLimited, startTestPlatform, type TestPlatform } from './campaign-platform.js';

// v2 send_coupon over the platform's mutual-TLS listener, as a real merchant would call it.

let tp: TestPlatform;
before(async () => {
  tp = await startTestPlatform();
});
after(async () => {
  await tp.close();
});

function capture(): { io: CommandIO; out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => {
    out += d;
  });
  return { io: { stdout, stderr: new PassThrough(), stdin: Readable.from([]), env: { CI: '1' } }, out: () => out };
}

function couponsByOpenid(file: string): Map<string, string | null> {
  const j = Journal.open(file, { readonly: true });
  try {
    return new Map([...j.all()].map((r) => [r.openid, r.coupon]));
  } finally {
    j.close();
  }
}

test('v2 over mutual TLS: sends until the budget runs out, and the same keys replay from a fresh journal', async () => {
  const stockId = await tp.createStock(60);
  const ids = openids(80, 'oV2');
  const input = join(tp.dir, 'v2.txt');
  writeFileSync(input, ids.join('\n'));
  const first = join(tp.dir, 'v2-a.sqlite');
  const base = ['--credentials', tp.credentialsFile(), '--stock', stockId, '--input', input, '--api', 'v2'];

  const run = capture();
  assert.equal(await campaign(['run', ...base, '--journal', first, '--concurrency', '4'], run.io), 2, run.out());
  assert.match(run.out(), /stopped on STOCK_AMOUNT_NOT_ENOUGH/);
  const issued = couponsByOpenid(first);
  const sent = [...issued].filter(([, c]) => c !== null);
  assert.equal(sent.length, 60);
  await eachLimited(ids, 8, async (openid) => {
    const held = await tp.couponsOf(openid, stockId);
    assert.deepEqual(held, issued.get(openid) ? [issued.get(openid)] : []);
  });

  // A lost journal loses nothing either: the keys derive from the campaign and the openid, so the platform
  // answers the recipients it already served with their original coupons.
  const second = join(tp.dir, 'v2-b.sqlite');
  const again = capture();
  assert.equal(await campaign(['run', ...base, '--journal', second, '--concurrency', '1'], again.io), 2);
  const replayed = couponsByOpenid(second);
  let same = 0;
  for (const [openid, coupon] of sent) {
    const now = replayed.get(openid);
    if (now !== null) assert.equal(now, coupon, 'a replay answers the original coupon');
    if (now === coupon) same++;
  }
  // In input order, the second run replays every recipient the first served until the first one it did not.
  assert.ok(same >= 50, `${same} replayed`);
  assert.equal(await tp.distributed(stockId), 60);
});
