import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// `wxcoupon clock` and `wxcoupon notification trigger` against a running platform: the clock moves and
// reads back as a person sees it, a send through the SDK still verifies after a 25 h advance, and a
// triggered notification reaches a local receiver before the command returns.

describe('wxcoupon clock and notification trigger', () => {
  let p: TestPlatform;
  let common: string[];
  before(async () => {
    p = await startTestPlatform();
    common = ['--data', p.dir];
  });
  after(() => p.close());

  test('show, advance, set and resume print the platform time and how far it is from real time', async () => {
    const shown = await run(['clock', 'show', ...common]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^now: {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00 \(real time\)\nreal: \S+\+08:00\n$/);

    const advanced = await run(['clock', 'advance', '25h', ...common]);
    assert.equal(advanced.code, 0, advanced.stderr);
    assert.match(advanced.stdout, /\(1d 1h ahead of real time\)/);
    const json = await run(['clock', 'advance', '1d2h30m', ...common, '--json']);
    assert.equal(JSON.parse(json.stdout).offset_seconds, 25 * 3600 + 26 * 3600 + 1800);

    const day = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const set = await run(['clock', 'set', `${day}T12:00:00+08:00`, ...common]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, new RegExp(`^now: {2}${day}T12:00:0\\d\\+08:00 \\(\\d+d .*ahead of real time\\)`));

    const refused = await run(['clock', 'set', 'next tuesday', ...common]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /PARAM_ERROR: .*“time”.*must be an RFC 3339 time/);
    const backwards = await run(['clock', 'advance', '0m', ...common]);
    assert.equal(backwards.code, 1);
    assert.match(backwards.stderr, /must be positive/);
    assert.equal((await run(['clock', 'advance', ...common])).code, 64);
    assert.equal((await run(['clock', 'rewind', ...common])).code, 64);

    const resumed = await run(['clock', 'resume', ...common]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /\(real time\)/);
  });

  test('after a 25 h advance a send through the SDK still verifies both ways', async () => {
    const stockId = await p.createStock(10);
    assert.equal((await run(['clock', 'advance', '25h', ...common])).code, 0);
    try {
      const sent = await run(['send', '--openid', 'o-cli-clock', '--stock', stockId, ...common, '--json']);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(JSON.parse(sent.stdout).coupon_id, /^\d+$/);
    } finally {
      await run(['clock', 'resume', ...common]);
    }
  });

  test('notification trigger sends a COUPON.USE for a coupon now and prints how it was received', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
      assert.equal((await run(['callback', 'set', '--url', url, ...common])).code, 0);
      const stockId = await p.createStock(10);
      const sent = await run(['send', '--openid', 'o-cli-trigger', '--stock', stockId, ...common, '--json']);
      const couponId = JSON.parse(sent.stdout).coupon_id;

      const triggered = await run([
        'notification',
        'trigger',
        '--coupon',
        couponId,
        '--event',
        'COUPON.USE',
        ...common,
      ]);
      assert.equal(triggered.code, 0, triggered.stderr);
      assert.match(
        triggered.stdout,
        /^\S+ COUPON\.USE to http:\/\/127\.0\.0\.1:\d+\/hook: DELIVERED \(HTTP 204, \d+ ms\)\n$/,
      );
      assert.equal(received.length, 1, 'received before the command returned');
      assert.equal(JSON.parse(received[0] as string).event_type, 'COUPON.USE');

      const missing = await run(['notification', 'trigger', '--coupon', couponId, ...common]);
      assert.equal(missing.code, 64);
      assert.match(missing.stderr, /--event/);
      const unknown = await run(['notification', 'trigger', '--coupon', '404404', '--event', 'COUPON.USE', ...common]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /RESOURCE_NOT_EXISTS/);
    } finally {
      receiver.close();
    }
  });
});
