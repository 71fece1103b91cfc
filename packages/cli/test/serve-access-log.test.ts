import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

// `wxcoupon serve --log-format json`: one pino JSON line per request on stdout, with the Request-ID the
// client received and no secret; the journal settings reach the platform (--no-journal turns it off).

const main = new URL('../src/main.ts', import.meta.url).pathname;
const dirs: string[] = [];
const children: ChildProcess[] = [];

after(async () => {
  for (const child of children) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function serve(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cli-log-'));
  dirs.push(dir);
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', main, 'serve', '--port', '0', '--data', dir, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] && out.includes('Ctrl-C')) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
  const admin = (path: string) => fetch(`${url}/admin${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { url, output: () => out, admin, token };
}

/** Waits (bounded) until `check` holds of the output; the access log is written after the answer. */
async function until(output: () => string, check: (out: string) => boolean): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (!check(output())) {
    if (Date.now() > deadline) throw new Error(`timed out; output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return output();
}

test('--log-format json writes one JSON line per request with its Request-ID and no secret', async () => {
  const s = await serve(['--log-format', 'json', '--journal-max-rows', '1000', '--journal-max-age', '2d']);
  assert.match(s.output(), /journal: the last 1000 requests, up to 2d \(`wxcoupon logs`\); access log: json/);
  const res = await fetch(`${s.url}/v3/marketing/favor/users/o-log/coupons`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}` },
    body: '{"stock_id":"1"}',
  });
  assert.equal(res.status, 401);
  const requestId = res.headers.get('request-id') as string;
  assert.equal((await s.admin('/requests')).status, 200);
  const out = await until(s.output, (o) => o.includes(requestId) && o.includes('"path":"/admin/requests"'));
  const lines = out.split('\n').filter((l) => l.startsWith('{'));
  const line = JSON.parse(lines.find((l) => l.includes(requestId)) as string);
  assert.deepEqual(
    { msg: line.msg, level: line.level, method: line.method, path: line.path, status: line.status, api: line.api },
    {
      msg: 'request',
      level: 'warn',
      method: 'POST',
      path: '/v3/marketing/favor/users/o-log/coupons',
      status: 401,
      api: 'favor.coupons.send',
    },
  );
  assert.equal(line.signature, 'failed');
  assert.equal(line.signature_reason, 'malformed Authorization');
  assert.ok(
    lines.some((l) => JSON.parse(l).path === '/admin/requests'),
    'admin calls are logged too',
  );
  assert.ok(!out.includes(s.token), 'the admin token is never logged');
});

test('--no-journal (or WXCOUPON_NO_JOURNAL=1) keeps no journal; --log-format off logs nothing', async () => {
  const s = await serve(['--log-format', 'off'], { WXCOUPON_NO_JOURNAL: '1' });
  assert.match(s.output(), /journal: off; access log: off/);
  const res = await s.admin('/requests');
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { code: string }).code, 'RESOURCE_NOT_EXISTS');
  assert.ok(!s.output().includes('"msg":"request"'));
});
