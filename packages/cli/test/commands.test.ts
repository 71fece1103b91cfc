import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCredentials } from '../src/campaign/command/credentials.js';
import { commands } from '../src/commands/index.js';
import { startTestPlatform, type TestPlatform } from './campaign-platform.js';
import { run } from './cli-run.js';

// The command table as a person meets it: help for every command and subcommand, the version, and the
// admin commands whose output other tools consume (a new merchant's credentials.json, reset's question).

const entry = new URL('../src/main.ts', import.meta.url).pathname;

function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `input`, so it sees a TTY. */
function runOnTerminal(args: string[], input: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, '--conditions=source', '--import', 'tsx', entry, ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let typed = false;
    child.stdin.on('error', () => {});
    child.stdout.on('data', (d) => {
      output += d;
      if (!typed && /\[y\/N\]/.test(output)) {
        typed = true;
        child.stdin.write(input);
      }
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('help and version', () => {
  const subcommands: Record<string, string[]> = {
    stock: ['create', 'start', 'list'],
    merchant: ['add', 'list'],
    appid: ['add'],
    user: ['add'],
    coupon: ['use'],
    campaign: ['run', 'status'],
    busifavor: ['stock', 'product', 'coupon'],
    notification: ['list', 'show', 'redeliver', 'trigger'],
    clock: ['show', 'advance', 'set', 'resume'],
    callback: ['set', 'get'],
    fault: ['add', 'list', 'rm', 'clear'],
  };
  test('every command and subcommand answers --help with its usage on stdout and exit 0', async () => {
    const write = process.stdout.write;
    for (const [name, command] of Object.entries(commands)) {
      for (const args of [['--help'], ['-h'], ...(subcommands[name] ?? []).map((s) => [s, '--help'])]) {
        let printed = '';
        process.stdout.write = ((chunk: string) => {
          printed += chunk;
          return true;
        }) as typeof process.stdout.write;
        let code: number;
        try {
          code = await command.run(args);
        } finally {
          process.stdout.write = write;
        }
        assert.equal(code, 0, `wxcoupon ${name} ${args.join(' ')}`);
        assert.match(printed, /Usage/, `wxcoupon ${name} ${args.join(' ')}`);
      }
    }
  });

  test('wxcoupon --version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const got of [await runChild(['--version']), await run(['-V'])]) {
      assert.equal(got.code, 0);
      assert.equal(got.stdout, `wxcoupon ${version}\n`);
    }
    assert.match((await run(['--help'])).stdout, /--version/);
  });

  test('a missing subcommand still prints the usage, as a usage error', async () => {
    const got = await run(['stock']);
    assert.equal(got.code, 64);
    assert.match(got.stdout, /Usage/);
  });
});

describe('admin commands against a running platform', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p.close());

  test('merchant add --out writes a credentials.json that send, stock and campaign accept', async () => {
    const out = join(p.dir, 'second');
    const added = await run(['merchant', 'add', '--appid', 'wx-second-app', '--out', out, '--data', p.dir, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const file = join(out, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(out, 'apiclient_key.pem')).mode & 0o777, 0o600);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(written.mchid, JSON.parse(added.stdout).mchid);
    assert.equal(written.baseURL, p.url);
    assert.equal(written.appid, 'wx-second-app');
    assert.equal(written.platformPublicKeyId, p.platform.credentials.platformPublicKeyId);
    assert.doesNotThrow(() => loadCredentials(file));

    const stock = await run([
      'stock',
      'create',
      '--name',
      '第二商户',
      '--count',
      '10',
      '--start',
      '--credentials',
      file,
      '--json',
    ]);
    assert.equal(stock.code, 0, stock.stderr);
    const stockId = JSON.parse(stock.stdout).stock_id;
    const sent = await run(['send', '--openid', 'o-second', '--stock', stockId, '--credentials', file, '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(JSON.parse(sent.stdout).coupon_id, /^\d+$/);
  });

  test('reset asks on a terminal and does nothing unless answered y; scripts and --yes are not asked', async () => {
    const stockId = await p.createStock(10);
    const coupon = () =>
      run([
        'send',
        '--openid',
        'o-reset',
        '--stock',
        stockId,
        '--out-request-no',
        'reset-1',
        '--data',
        p.dir,
        '--json',
      ]);
    const first = JSON.parse((await coupon()).stdout).coupon_id;

    const declined = await runOnTerminal(['reset', '--data', p.dir], 'n\n');
    assert.equal(declined.code, 64, declined.output);
    assert.match(declined.output, /nothing reset/);
    assert.equal(JSON.parse((await coupon()).stdout).coupon_id, first, 'a declined reset kept the coupon');

    const accepted = await runOnTerminal(['reset', '--data', p.dir], 'y\n');
    assert.equal(accepted.code, 0, accepted.output);
    const afterReset = JSON.parse((await coupon()).stdout).coupon_id;
    assert.notEqual(afterReset, first, 'after a reset the same out_request_no issues a new coupon');

    assert.equal((await run(['reset', '--yes', '--data', p.dir])).code, 0);
    assert.equal((await runChild(['reset', '--data', p.dir])).code, 0, 'without a terminal reset is not asked');
  });

  test('busifavor: a 商品券 stock made from the CLI, its budget, list, and a coupon used, returned, deactivated', async () => {
    const common = ['--data', p.dir, '--json'];
    const created = await run([
      ...['busifavor', 'stock', 'create', '--name', '商品券CLI', '--count', '5', '--per-user', '3'],
      ...['--product', 'sku-cli', '--product-name', '咖啡', ...common],
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { stock_id: stockId, product } = JSON.parse(created.stdout);
    assert.equal(product.product_id, 'sku-cli');

    const budget = await run(['busifavor', 'stock', 'budget', '--stock', stockId, '--max', '8', ...common]);
    assert.equal(budget.code, 0, budget.stderr);
    assert.equal(JSON.parse(budget.stdout).max_coupons, 8);
    const got = JSON.parse((await run(['busifavor', 'stock', 'get', '--stock', stockId, ...common])).stdout);
    assert.equal(got.stock_send_rule.max_coupons, 8);
    const listed = JSON.parse((await run(['busifavor', 'stock', 'list', '--limit', '100', ...common])).stdout);
    assert.ok(listed.data.some((s: { stock_id: string }) => s.stock_id === stockId));
    assert.ok(listed.total_count >= 1);

    // product-coupons/send issues only from a stock with product information: the one just made.
    const c = p.platform.credentials;
    const wxpay = new (await import('@wxcoupon/sdk')).Wechatpay({
      mchid: c.mchid,
      serial: c.serial,
      privateKey: readFileSync(c.privateKeyFile),
      certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
      baseURL: p.url,
    });
    const codes: string[] = [];
    try {
      for (const n of [1, 2, 3]) {
        const sent = await wxpay.v3.marketing.busifavor.productCoupons.send.post({
          json: {
            stock_id: stockId,
            appid: c.appid,
            openid: 'o-cli-busifavor',
            out_request_no: `cli-product-${n}`,
            coupon_type: 'NORMAL',
          },
        });
        codes.push(sent.data.coupon_code);
      }
    } finally {
      wxpay.close();
    }
    const [first, second, third] = codes as [string, string, string];
    const used = await run(['busifavor', 'coupon', 'use', '--stock', stockId, '--code', first, ...common]);
    assert.equal(used.code, 0, used.stderr);
    assert.equal(JSON.parse(used.stdout).stock_id, stockId);
    const returned = await run(['busifavor', 'coupon', 'return', '--stock', stockId, '--code', first, ...common]);
    assert.equal(returned.code, 0, returned.stderr);
    assert.ok(JSON.parse(returned.stdout).wechatpay_return_time);
    const deactivated = await run([
      ...['busifavor', 'coupon', 'deactivate', '--stock', stockId, '--code', second, '--reason', '测试', ...common],
    ]);
    assert.equal(deactivated.code, 0, deactivated.stderr);
    const again = await run(['busifavor', 'coupon', 'deactivate', '--stock', stockId, '--code', second, ...common]);
    assert.equal(again.code, 1, 'a deactivated coupon cannot be deactivated again');
    assert.doesNotMatch(again.stderr, /\n\s+at /);
    assert.ok(third);

    const cleared = await run(['busifavor', 'product', 'clear', '--stock', stockId, ...common]);
    assert.equal(cleared.code, 0, cleared.stderr);
  });

  test('callback set and get, for both families', async () => {
    const common = ['--data', p.dir, '--json'];
    for (const family of ['favor', 'busifavor']) {
      const url = `https://merchant.example/${family}/notify`;
      const set = await run(['callback', 'set', '--family', family, '--url', url, ...common]);
      assert.equal(set.code, 0, set.stderr);
      const got = await run(['callback', 'get', '--family', family, ...common]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(JSON.parse(got.stdout).notify_url, url);
    }
    const bad = await run(['callback', 'set', '--family', 'other', '--url', 'https://x.example/', ...common]);
    assert.equal(bad.code, 64);
  });

  test('notification list, show and redeliver follow a COUPON.USE to a local receiver', async () => {
    const received: string[] = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"code":"SUCCESS","message":"成功"}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const common = ['--data', p.dir, '--json'];
      const notifyUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/notify`;
      assert.equal((await run(['callback', 'set', '--url', notifyUrl, ...common])).code, 0);
      await p.platform.context.services.notify.configure({ pollIntervalMs: 50, retryDelaysMs: [100, 100] });
      const stockId = await p.createStock(10);
      const sent = await run(['send', '--openid', 'o-notify', '--stock', stockId, ...common]);
      const couponId = JSON.parse(sent.stdout).coupon_id;
      assert.equal((await run(['coupon', 'use', '--coupon-id', couponId, ...common])).code, 0);

      const delivered = async (times: number) => {
        for (let i = 0; i < 200 && received.length < times; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(received.length, times);
      };
      await delivered(1);
      const listed = await run(['notification', 'list', '--event', 'COUPON.USE', ...common]);
      assert.equal(listed.code, 0, listed.stderr);
      const mine = JSON.parse(listed.stdout).data.find((n: { notify_url: string }) => n.notify_url === notifyUrl);
      assert.ok(mine, 'the notification is listed');
      const table = await run(['notification', 'list', '--data', p.dir]);
      assert.match(table.stdout, /^ID +CREATED +EVENT/);
      assert.match(table.stdout, new RegExp(`${mine.id} .*COUPON\\.USE`));

      const shown = await run(['notification', 'show', mine.id, ...common]);
      assert.equal(JSON.parse(shown.stdout).attempt_log[0].http_status, 200);
      const again = await run(['notification', 'redeliver', mine.id, ...common]);
      assert.equal(again.code, 0, again.stderr);
      await delivered(2);
      assert.equal(received[1], received[0], 'the same notification body is delivered again');
      const missing = await run(['notification', 'show', 'no-such-id', '--data', p.dir]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /RESOURCE_NOT_EXISTS/);
    } finally {
      receiver.close();
    }
  });
});
