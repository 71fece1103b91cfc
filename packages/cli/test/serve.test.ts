import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

// `wxcoupon serve` and the commands that talk to it, run as real processes from the TypeScript sources.

const main = new URL('../src/main.ts', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, 'serve', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] && out.includes('Ctrl-C')) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('wxcoupon serve', () => {
  let dir: string;
  let server: { child: ChildProcess; url: string; output: () => string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cli-'));
    server = await startServe([
      '--port',
      '0',
      '--data',
      dir,
      '--rate-limits',
      'favor.coupons.send=1000,favor.stocks.get=100',
    ]);
  });
  after(async () => {
    if (server.child.exitCode === null) await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first start prints the URL, the credentials file and an SDK snippet', () => {
    const out = server.output();
    assert.match(out, new RegExp(`credentials: ${join(dir, 'demo', 'credentials.json')}`));
    assert.match(out, /new Wechatpay\(/);
    const creds = JSON.parse(readFileSync(join(dir, 'demo', 'credentials.json'), 'utf8'));
    assert.equal(creds.baseURL, server.url);
  });

  test('the first screen names the HTTPS address and pages that exist', async () => {
    const out = server.output();
    assert.match(out, /listening on http:\/\/\S+ and https:\/\/127\.0\.0\.1:\d+ \(HTTPS/);
    const health = /Health:\s+(\S+)/.exec(out)?.[1];
    assert.ok(health);
    assert.equal((await fetch(health)).status, 200);
    const admin = /Admin API:\s+(\S+)/.exec(out)?.[1];
    const tokenFile = /Bearer \$\(cat (\S+)\)/.exec(out)?.[1];
    assert.ok(admin && tokenFile);
    const token = readFileSync(tokenFile, 'utf8').trim();
    assert.equal((await fetch(admin, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    const consolePage = /Console:\s+(\S+)/.exec(out)?.[1];
    assert.ok(consolePage);
    const signIn = await fetch(consolePage);
    assert.equal(signIn.status, 200);
    assert.equal(new URL(signIn.url).pathname, '/console/login');
  });

  test('the printed SDK snippet runs as printed and sends a coupon', async () => {
    const snippet = /Send a 代金券 with the SDK:\n\n([\s\S]+?)\n\n/.exec(server.output())?.[1];
    assert.ok(snippet, 'no snippet in the quick-start');
    // Written beside the tests so that '@wxcoupon/sdk' resolves through the workspace, removed after.
    const file = new URL(`./.quick-start-${process.pid}.mjs`, import.meta.url).pathname;
    writeFileSync(file, snippet.replace(/^ {2}/gm, ''));
    try {
      const ran = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
      assert.equal(ran.code, 0);
      assert.match(ran.out.trim(), /^\d{1,20}$/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('send issues a coupon through the SDK, and re-sending one out_request_no returns the same coupon', async () => {
    const a = await run(['send', '--openid', 'o-cli', '--out-request-no', 'cli-1', '--data', dir, '--json']);
    assert.equal(a.code, 0, a.stderr);
    const b = await run(['send', '--openid', 'o-cli', '--out-request-no', 'cli-1', '--data', dir, '--json']);
    assert.equal(JSON.parse(b.stdout).coupon_id, JSON.parse(a.stdout).coupon_id);
  });

  test('admin commands flag a user, and the next send reports USER_ACCOUNT_ABNORMAL in one line with exit 1', async () => {
    const added = await run(['user', 'add', '--appid', 'wxd678efh567hg6787', '--openid', 'o-flag', '--data', dir]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal((await run(['user', 'flag', '--openid', 'o-flag', '--data', dir])).code, 0);
    const refused = await run(['send', '--openid', 'o-flag', '--data', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /USER_ACCOUNT_ABNORMAL/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);
  });

  test('stock create --start makes a running stock that send can use', async () => {
    const created = await run([
      'stock',
      'create',
      '--name',
      'CLI批次',
      '--count',
      '10',
      '--start',
      '--data',
      dir,
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { stock_id } = JSON.parse(created.stdout);
    const sent = await run(['send', '--openid', 'o-cli-stock', '--stock', stock_id, '--data', dir, '--json']);
    assert.equal(sent.code, 0, sent.stderr);
  });

  test('merchant add writes working keys, appid add binds, coupon use marks used, reset clears issued coupons', async () => {
    const out = join(dir, 'm2');
    const added = await run([
      'merchant',
      'add',
      '--name',
      'Second',
      '--appid',
      'wx-cli-second',
      '--out',
      out,
      '--data',
      dir,
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const m = JSON.parse(added.stdout);
    assert.match(readFileSync(join(out, 'apiclient_key.pem'), 'utf8'), /PRIVATE KEY/);
    assert.equal(m.private_key, undefined);
    const bound = await run(['appid', 'add', '--mchid', m.mchid, '--appid', 'wx-cli-third', '--data', dir, '--json']);
    assert.equal(JSON.parse(bound.stdout).appid, 'wx-cli-third');
    const sent = JSON.parse((await run(['send', '--openid', 'o-cli-use', '--data', dir, '--json'])).stdout);
    const used = await run([
      'coupon',
      'use',
      '--coupon-id',
      sent.coupon_id,
      '--transaction-id',
      '4200000099',
      '--data',
      dir,
      '--json',
    ]);
    assert.equal(used.code, 0, used.stderr);
    assert.equal(JSON.parse(used.stdout).status, 'USED');
    const again = await run(['coupon', 'use', '--coupon-id', sent.coupon_id, '--data', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /INVALID_REQUEST/);
    assert.equal((await run(['reset', '--data', dir])).code, 0);
    const list = await run(['merchant', 'list', '--data', dir]);
    assert.ok(
      JSON.parse(list.stdout).data.some(
        (x: { mchid: string; appids: string[] }) => x.mchid === m.mchid && x.appids.includes('wx-cli-third'),
      ),
    );
  });

  test('a second serve on the same port fails with a clear message, and an unknown flag is a usage error', async () => {
    const port = new URL(server.url).port;
    const busy = await run(['serve', '--port', port, '--data', dir]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`port ${port} .*already in use`));
    const badLimits = await run(['serve', '--rate-limits', 'send=fast', '--data', dir]);
    assert.equal(badLimits.code, 64);
    assert.match(badLimits.stderr, /--rate-limits/);
    const usage = await run(['serve', '--bogus']);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /Usage: wxcoupon serve/);
  });

  test('stopping and starting again keeps the credentials and the coupons', async () => {
    const before = readFileSync(join(dir, 'demo', 'credentials.json'), 'utf8');
    assert.equal(await stop(server.child), 0);
    server = await startServe(['--port', '0', '--data', dir]);
    const after = JSON.parse(readFileSync(join(dir, 'demo', 'credentials.json'), 'utf8'));
    assert.deepEqual(
      { ...after, baseURL: '' },
      { ...JSON.parse(before), baseURL: '', ...(after.tlsBaseURL ? { tlsBaseURL: after.tlsBaseURL } : {}) },
    );
    const again = await run(['send', '--openid', 'o-cli', '--out-request-no', 'cli-1', '--data', dir, '--json']);
    assert.equal(again.code, 0, again.stderr);
  });
});

describe('wxcoupon serve settings', () => {
  function runWith(args: string[], env: Record<string, string>) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  test('--help lists every setting with its flag and its environment variable', async () => {
    const help = await run(['serve', '--help']);
    assert.equal(help.code, 0);
    for (const [flag, env] of [
      ['--host', 'WXCOUPON_HOST'],
      ['--port', 'WXCOUPON_PORT'],
      ['--data', 'WXCOUPON_DATA'],
      ['--database', 'WXCOUPON_DATABASE_URL'],
      ['--rate-limits', 'WXCOUPON_RATE_LIMITS'],
      ['--headers-timeout', 'WXCOUPON_HEADERS_TIMEOUT'],
      ['--body-timeout', 'WXCOUPON_BODY_TIMEOUT'],
      ['--keep-alive-timeout', 'WXCOUPON_KEEP_ALIVE_TIMEOUT'],
      ['--max-connections', 'WXCOUPON_MAX_CONNECTIONS'],
      ['--drain-timeout', 'WXCOUPON_DRAIN_TIMEOUT'],
    ])
      assert.match(help.stdout, new RegExp(`${flag} \\S+ +${env} `));
  });

  test('a bad value from the environment is a usage error naming the variable; a flag wins over it', async () => {
    const bad = await runWith(['serve'], { WXCOUPON_PORT: 'eighty' });
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /WXCOUPON_PORT must be a whole number/);
    const time = await runWith(['serve', '--port', '0'], { WXCOUPON_DRAIN_TIMEOUT: 'soon' });
    assert.equal(time.code, 64);
    assert.match(time.stderr, /WXCOUPON_DRAIN_TIMEOUT must be a time/);
    // The flag's value is used: the environment's bad value is never read.
    const flagWins = await runWith(['serve', '--port', 'x'], { WXCOUPON_PORT: '0' });
    assert.match(flagWins.stderr, /--port must be a whole number/);
  });

  test('an unreachable PostgreSQL: one line naming the URL (password masked) and why, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cli-pg-'));
    try {
      // Port 1 on loopback: nothing listens there.
      const r = await runWith(['serve', '--data', dir], {
        WXCOUPON_DATABASE_URL: 'postgres://wx:s3cret@127.0.0.1:1/wxcoupon',
      });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /cannot reach the database postgres:\/\/wx:\*\*\*@127\.0\.0\.1:1\/wxcoupon: .*ECONNREFUSED/,
      );
      assert.doesNotMatch(r.stderr, /s3cret|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
