import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// The platform answers in WeChat Pay's words (Chinese by default); the CLI prints that text and the
// SDK's English explanation beside it.

describe('API errors on the command line', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p.close());

  test('send prints the server message and what it means', async () => {
    const creds = p.credentialsFile();
    const missing = await run(['send', '--openid', 'o-cli', '--stock', '9999999999', '--credentials', creds]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404 RESOURCE_NOT_EXISTS: 批次不存在 — no stock has this stock_id/);
    const long = await run(['send', '--openid', 'o-cli', '--stock', '1'.repeat(21), '--credentials', creds]);
    assert.equal(long.code, 1);
    assert.match(
      long.stderr,
      /PARAM_ERROR: 输入源“\/body\/stock_id”.* — body field stock_id is too long \(at most 20 characters\)/,
    );
  });
});
