import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { Wechatpay } from '@wxcoupon/sdk';

// Runs every example as written: the starter and the two webhook receivers against a platform started
// here, and the CI workflow's own steps (the real `wxcoupon serve`, then the merchant's tests).

const examples = fileURLToPath(new URL('..', import.meta.url));
const root = join(examples, '..');
const run = promisify(execFile);
// The examples import @wxcoupon/sdk; from a checkout it resolves to the sources through this condition.
const nodeArgs = ['--conditions=source', '--import', 'tsx'];

let dir: string;
let platform: Platform;
let url: string;
let credentialsFile: string;
let wxpay: Wechatpay;
const children: ChildProcess[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-examples-'));
  platform = await createPlatform({ dataDir: join(dir, 'data'), log: () => {} });
  ({ url } = await platform.listen({ host: '127.0.0.1', port: 0 }));
  credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ ...platform.credentials, baseURL: `${url}/` }));
  const c = platform.credentials;
  wxpay = new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: readFileSync(c.privateKeyFile),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
    baseURL: `${url}/`,
  });
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill();
  wxpay.close();
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a long-running example and resolves with its first line of output and a way to await later lines. */
async function start(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [...nodeArgs, join(examples, file)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = output.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      waiters.push({ pattern, resolve });
      check();
      child.once('exit', (code) =>
        reject(new Error(`${file} exited (${code}) before printing ${pattern}:\n${output}`)),
      );
    });
  return { child, waitFor };
}

async function sendCoupon(openid: string): Promise<string> {
  const c = platform.credentials;
  const { data } = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
    params: { openid },
    body: {
      stock_id: c.favorStockId,
      out_request_no: `ex${Date.now()}${openid}`,
      appid: c.appid,
      stock_creator_mchid: c.mchid,
    },
  });
  return data.coupon_id;
}

describe('examples', () => {
  test('starter: sends a coupon and prints it', async () => {
    const { stdout } = await run(
      process.execPath,
      [...nodeArgs, join(examples, 'starter/send-coupon.mjs'), 'oExampleStarter'],
      {
        cwd: root,
        env: { ...process.env, WXCOUPON_CREDENTIALS: credentialsFile },
      },
    );
    const id = /^sent coupon (\d+) to oExampleStarter \(Request-ID \S+\)$/m.exec(stdout)?.[1];
    assert.ok(id, stdout);
  });

  for (const receiver of ['webhook-express/server.mjs', 'webhook-node-http/server.mjs']) {
    test(`${receiver}: receives, verifies and decrypts the COUPON.USE notification of a coupon used`, async () => {
      const server = await start(receiver, { WXCOUPON_CREDENTIALS: credentialsFile, PORT: '0' });
      const [, notifyUrl] = await server.waitFor(/^listening on (\S+)$/m);
      const c = platform.credentials;
      await wxpay.request('POST /v3/marketing/favor/callbacks', {
        body: { mchid: c.mchid, notify_url: notifyUrl as string },
      });
      const id = await sendCoupon(`oExample${children.length}`);
      const used = await platform.fetch(
        new Request(`http://platform.test/admin/favor/coupons/${id}/use`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${platform.adminToken}`, 'Content-Type': 'application/json' },
          body: '{}',
        }),
      );
      assert.equal(used.status, 200, await used.text());
      await server.waitFor(new RegExp(`^COUPON\\.USE coupon ${id}$`, 'm'));
      server.child.kill();
    });
  }

  const built =
    existsSync(join(root, 'packages/cli/dist/main.js')) && existsSync(join(root, 'packages/sdk/dist/index.js'));
  test('ci: the workflow starts `wxcoupon serve` and the merchant tests pass against it', {
    skip: !built && 'run `npm run build` first: the workflow runs the installed command',
  }, async () => {
    const workflow = readFileSync(join(examples, 'ci/wxcoupon-sandbox.yml'), 'utf8');
    const step = (name: string) => {
      const at = workflow.indexOf(`- name: ${name}\n`);
      assert.ok(at >= 0, `the workflow has a step "${name}"`);
      const block = workflow.slice(at).split('\n').slice(1);
      const runLine = block.find((l) => /^\s+run:/.test(l)) as string;
      const inline = runLine.replace(/^\s+run:\s*/, '');
      if (inline !== '|') return inline;
      const body = block.slice(block.indexOf(runLine) + 1);
      const indent = /^\s*/.exec(body[0] as string)?.[0].length ?? 0;
      return body
        .filter((_, i) =>
          body.slice(0, i + 1).every((l) => (/^\s*/.exec(l)?.[0].length ?? 0) >= indent && l.trim() !== ''),
        )
        .map((l) => l.slice(indent))
        .join('\n');
    };
    // The merchant's checkout: its test at the root, its node_modules holding the wxcoupon packages.
    const merchant = mkdtempSync(join(dir, 'merchant-'));
    writeFileSync(join(merchant, 'merchant.test.mjs'), readFileSync(join(examples, 'ci/merchant.test.mjs')));
    symlinkSync(join(root, 'node_modules'), join(merchant, 'node_modules'), 'dir');
    const port = await freePort();
    // Without NODE_TEST_CONTEXT, the merchant's `node --test` reports as it does in CI, not to this runner.
    const { NODE_TEST_CONTEXT: _, ...outer } = process.env;
    const env = {
      ...outer,
      RUNNER_TEMP: merchant,
      WXCOUPON_PORT: String(port),
      WXCOUPON_DATA: join(merchant, 'wxcoupon'),
      WXCOUPON_CREDENTIALS: join(merchant, 'wxcoupon/demo/credentials.json'),
    };
    const bash = (script: string) =>
      run('bash', ['-euo', 'pipefail', '-c', script], { cwd: merchant, env, timeout: 180_000 });
    try {
      await bash(step('Start the sandbox'));
      const { stdout } = await bash(step('Merchant tests'));
      // node --test reports TAP when its output is not a terminal on Node 20, its spec reporter on Node 24.
      assert.match(stdout, /^(#|ℹ) pass 2$/m);
      assert.match(stdout, /^(#|ℹ) fail 0$/m);
    } finally {
      await bash(step('Stop the sandbox'));
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      // HTTPS is served on port + 1 as well; a port just freed is as good a guess as any for both.
      server.close(() => resolve(port));
    });
  });
}
