import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// APIv2 decimal err_codes are a merchant setting: the CLI turns it on and off and `merchant list` shows it.

describe('wxcoupon merchant v2-decimal-err-code', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p.close());

  test('turns decimal err_codes on and off for a merchant, and names an unknown merchant', async () => {
    const mchid = p.platform.credentials.mchid;
    const listed = async () => {
      const list = await run(['merchant', 'list', '--data', p.dir, '--json']);
      const rows = JSON.parse(list.stdout).data as Array<{ mchid: string; v2_decimal_err_code: boolean }>;
      return rows.find((m) => m.mchid === mchid)?.v2_decimal_err_code;
    };
    assert.equal(await listed(), false, 'off by default');
    const on = await run(['merchant', 'v2-decimal-err-code', '--mchid', mchid, '--data', p.dir, '--json']);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { mchid, v2_decimal_err_code: true });
    assert.equal(await listed(), true);
    const off = await run(['merchant', 'v2-decimal-err-code', '--mchid', mchid, '--off', '--data', p.dir, '--json']);
    assert.deepEqual(JSON.parse(off.stdout), { mchid, v2_decimal_err_code: false });
    assert.equal(await listed(), false);
    const missing = await run(['merchant', 'v2-decimal-err-code', '--mchid', '42', '--data', p.dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /MCH_NOT_EXISTS/);
    const noMchid = await run(['merchant', 'v2-decimal-err-code', '--data', p.dir]);
    assert.notEqual(noMchid.code, 0);
    assert.match(noMchid.stderr, /--mchid is required/);
    assert.match((await run(['merchant', '--help'])).stdout, /v2-decimal-err-code --mchid 1900000001 \[--off\]/);
  });
});
