import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// `wxcoupon logs` against a running platform: the journal as a table, filtered; one request shown whole
// with its signature verdict and the message the platform built; --follow printing what arrives; and
// no secret in anything it prints.

describe('wxcoupon logs', () => {
  let p: TestPlatform;
  let common: string[];
  let stockId: string;
  before(async () => {
    p = await startTestPlatform();
    common = ['--data', p.dir];
    stockId = await p.createStock(10);
  });
  after(() => p.close());

  const send = (openid: string, no: string) =>
    run(['send', '--openid', openid, '--stock', stockId, '--out-request-no', no, ...common]);
  const unsigned = async (openid = 'o-cli-logs') => {
    const res = await fetch(`${p.url}/v3/marketing/favor/users/${openid}/coupons`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${p.platform.credentials.mchid}",nonce_str="n1",timestamp="${Math.floor(Date.now() / 1000)}",serial_no="${p.platform.credentials.serial}",signature="c2lnbmF0dXJl"`,
      },
      body: JSON.stringify({ stock_id: stockId, out_request_no: 'cli-logs-forged' }),
    });
    return res.headers.get('request-id') as string;
  };

  test('--help answers with the usage and exit 0', async () => {
    const r = await run(['logs', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: wxcoupon logs \[--follow\]/);
    assert.match(r.stdout, /--request-id ID/);
  });

  test('a table of the newest requests, oldest first, and the filters narrow it', async () => {
    assert.equal((await send('o-cli-logs', 'cli-logs-1')).code, 0);
    const forged = await unsigned();
    const r = await run(['logs', ...common]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^TIME +STATUS +METHOD +PATH +API +MCHID +MS +SIGNATURE +CODE \/ FAULT +REQUEST-ID$/);
    const last = lines.at(-1) ?? '';
    assert.match(
      last,
      /^\d\d-\d\d \d\d:\d\d:\d\d +401 +POST +\/v3\/marketing\/favor\/users\/o-cli-logs\/coupons/,
      r.stdout,
    );
    assert.match(last, /failed: wrong key +SIGN_ERROR/);
    assert.ok(last.endsWith(forged), `${forged}\n${r.stdout}`);
    assert.ok(
      lines.some((l) => / 200 +POST .*favor\.coupons\.send .* ok /.test(l)),
      r.stdout,
    );

    const only401 = await run(['logs', '--status', '4xx', '--api', 'favor.coupons.send', ...common]);
    assert.equal(only401.code, 0, only401.stderr);
    const rows = only401.stdout.trimEnd().split('\n').slice(1);
    assert.ok(rows.length >= 1);
    for (const row of rows) assert.match(row, / 401 /);
    const none = await run(['logs', '--merchant', '1999999999', ...common]);
    assert.equal(none.stdout, 'no requests in the journal\n');
    const json = await run(['logs', '--code', 'SIGN_ERROR', '--limit', '1', '--json', ...common]);
    const page = JSON.parse(json.stdout);
    assert.equal(page.data.length, 1);
    assert.equal(page.data[0].request_id, forged);
    assert.equal((await run(['logs', '--status', 'bad', ...common])).code, 64);
  });

  test('--request-id shows one request whole: verdict, reason, the built message, headers and bodies', async () => {
    const forged = await unsigned();
    const r = await run(['logs', '--request-id', forged, ...common]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^POST \/v3\/marketing\/favor\/users\/o-cli-logs\/coupons\n/);
    assert.match(out, /HTTP 401 SIGN_ERROR/);
    assert.match(out, new RegExp(`Request-ID ${forged}`));
    assert.match(out, /signature: failed \(wrong key\)\n {4}The signature was not made with the private key/);
    assert.match(out, /\n {4}method {4}"POST"\n {4}url {7}"\/v3\/marketing\/favor\/users\/o-cli-logs\/coupons"\n/);
    assert.match(out, /\n {4}nonce {5}"n1"\n {4}body {6}"\{\\"stock_id\\":/);
    assert.match(
      out,
      /request headers:\n(?: {2}.*\n)*? {2}authorization: WECHATPAY2-SHA256-RSA2048 .*signature="\[redacted\]"/,
    );
    assert.match(out, /response body:\n {2}\{\n {4}"code": "SIGN_ERROR"/);
    assert.ok(!out.includes('c2lnbmF0dXJl'), 'the signature sent is not printed');
    const missing = await run(['logs', '--request-id', 'NOPE', ...common]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no request NOPE/);
  });

  test('--follow prints what arrives until Ctrl-C, after the newest already there', async () => {
    const listening = process.listenerCount('SIGINT');
    let ended = false;
    const following = run(['logs', '--follow', '--status', '401', '--limit', '1', ...common]).finally(() => {
      ended = true;
    });
    const forged = await unsigned('o-cli-follow');
    // Until the command listens for Ctrl-C (or has ended on an error, which the assertions below show).
    while (process.listenerCount('SIGINT') === listening && !ended)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // Ctrl-C: the command looks once more, prints what it had not, and exits 0.
    process.emit('SIGINT');
    const r = await following;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`/v3/marketing/favor/users/o-cli-follow/coupons .*${forged}`));
    assert.equal(r.stdout.match(/o-cli-follow/g)?.length, 1, 'printed once');
  });
});
