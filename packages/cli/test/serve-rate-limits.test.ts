import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from './cli-run.js';

// --rate-limits names any API, 商品券 and v2 included; a name no API has is refused, with the list.

test('serve --rate-limits refuses an unknown API name and --help lists every name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-serve-limits-'));
  try {
    const bad = await run([
      'serve',
      '--rate-limits',
      'busifavor.product-coupons.send=5,favor.coupon.send=5',
      '--data',
      dir,
    ]);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /no API is named "favor\.coupon\.send"/);
    assert.match(bad.stderr, /busifavor\.product-coupons\.send/);
    const help = await run(['serve', '--help']);
    for (const name of ['favor.coupons.send', 'busifavor.product-coupons.send', 'v2coupon.send_coupon'])
      assert.ok(help.stdout.includes(name), name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
