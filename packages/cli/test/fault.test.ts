import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// `wxcoupon fault` against a running platform: a rule made from the CLI fails the next send with the
// chosen error, a retry with the same out_request_no succeeds, and list/rm/clear show and remove rules.

describe('wxcoupon fault', () => {
  let p: TestPlatform;
  let common: string[];
  before(async () => {
    p = await startTestPlatform();
    common = ['--data', p.dir];
  });
  after(() => p.close());

  test('add forces the error on the next send, the retry succeeds, and list shows the rule fired', async () => {
    const stockId = await p.createStock(10);
    const added = await run([
      ...['fault', 'add', '--api', 'favor.coupons.send', '--error', 'SYSTEM_ERROR', '--times', '1'],
      ...[...common, '--json'],
    ]);
    assert.equal(added.code, 0, added.stderr);
    const rule = JSON.parse(added.stdout);
    assert.equal(rule.error_code, 'SYSTEM_ERROR');
    assert.equal(rule.times, 1);

    const send = () =>
      run(['send', '--openid', 'o-cli-fault', '--stock', stockId, '--out-request-no', 'cli-fault-1', ...common]);
    const failed = await send();
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /SYSTEM_ERROR/);
    const retried = await send();
    assert.equal(retried.code, 0, retried.stderr);
    assert.deepEqual(await p.couponsOf('o-cli-fault', stockId), [retried.stdout.match(/\d{6,}/)?.[0]]);

    const listed = await run(['fault', 'list', ...common]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID +API +ACTION/);
    assert.match(listed.stdout, new RegExp(`${rule.id} +favor\\.coupons\\.send +error SYSTEM_ERROR +1 +1/1`));
  });

  test('every action and matcher reaches the platform; bad rules are refused', async () => {
    const add = (...args: string[]) => run(['fault', 'add', ...args, ...common, '--json']);
    const probable = await add(
      ...['--api', 'busifavor.coupons.send', '--close', '--probability', '0.3', '--seed', '42'],
      ...['--mchid', p.platform.credentials.mchid, '--stock', '123', '--openid', 'o-1', '--out-request-no', 'n-1'],
    );
    assert.equal(probable.code, 0, probable.stderr);
    assert.deepEqual(
      (({ action, probability, seed, mchid, stock_id, openid, out_request_no }) => ({
        action,
        probability,
        seed,
        mchid,
        stock_id,
        openid,
        out_request_no,
      }))(JSON.parse(probable.stdout)),
      {
        action: 'close',
        probability: 0.3,
        seed: 42,
        mchid: p.platform.credentials.mchid,
        stock_id: '123',
        openid: 'o-1',
        out_request_no: 'n-1',
      },
    );
    assert.equal(JSON.parse((await add('--latency', '2000')).stdout).latency_ms, 2000);
    const dropped = await add('--api', 'v2coupon.send_coupon', '--drop-after-commit');
    assert.equal(JSON.parse(dropped.stdout).action, 'drop_after_commit');

    assert.equal((await add('--latency', '20', '--close')).code, 64, 'two actions');
    assert.equal((await add('--api', 'favor.coupons.send')).code, 64, 'no action');
    assert.equal((await add('--close', '--probability', '2')).code, 64);
    const unknown = await add('--api', 'favor.nothing', '--close');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /PARAM_ERROR/);
    const undocumented = await add('--api', 'favor.coupons.send', '--error', 'FREQUENCY_LIMITED');
    assert.equal(undocumented.code, 1);
    assert.match(undocumented.stderr, /FREQUENCY_LIMIT_EXCEED/, 'the message lists the codes the API documents');

    const id = JSON.parse(dropped.stdout).id;
    assert.equal((await run(['fault', 'rm', id, ...common])).code, 0);
    assert.equal((await run(['fault', 'rm', id, ...common])).code, 1, 'already removed');
    assert.equal((await run(['fault', 'rm', ...common])).code, 64);
    const cleared = await run(['fault', 'clear', ...common, '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.ok(JSON.parse(cleared.stdout).deleted >= 3);
    assert.equal((await run(['fault', 'list', ...common])).stdout, 'no fault rules\n');
  });
});
