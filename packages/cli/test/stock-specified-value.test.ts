import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// 指定面额发券 is a stock setting no WeChat Pay API makes: the CLI turns it on and off.

describe('wxcoupon stock specified-value', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p.close());

  test('turns 指定面额 on and off for a stock, and names an unknown stock', async () => {
    const stockId = p.platform.credentials.favorStockId;
    const on = await run(['stock', 'specified-value', '--stock', stockId, '--data', p.dir, '--json']);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { stock_id: stockId, specified_value: true });
    const off = await run(['stock', 'specified-value', '--stock', stockId, '--off', '--data', p.dir, '--json']);
    assert.deepEqual(JSON.parse(off.stdout), { stock_id: stockId, specified_value: false });
    const missing = await run(['stock', 'specified-value', '--stock', '42', '--data', p.dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /RESOURCE_NOT_EXISTS/);
    assert.match((await run(['stock', '--help'])).stdout, /specified-value --stock STOCK_ID \[--off\]/);
  });
});
