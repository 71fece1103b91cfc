import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

// `wxcoupon serve` on a data directory other users can open: refused with the command that fixes it,
// unless --insecure-permissions or WXCOUPON_INSECURE_PERMISSIONS=1 says something else protects it.

const main = new URL('../src/main.ts', import.meta.url).pathname;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-cli-perms-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

/** Runs `wxcoupon serve`; resolves when it listens (then stops it with SIGTERM) or when it exits. */
function serve(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', main, 'serve', '--port', '0', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    let output = '';
    let listening = false;
    const onData = (d: Buffer) => {
      output += d;
      if (!listening && /listening on http:\/\/\S+/.test(output) && output.includes('Ctrl-C')) {
        listening = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => resolve({ code: listening ? 0 : code, output }));
  });
}

describe('wxcoupon serve and the data directory permissions', () => {
  test('an open data directory is refused with exit 1, one line saying what to run, and no stack', async () => {
    const dir = openDir();
    const r = await serve(['--data', dir]);
    assert.equal(r.code, 1, r.output);
    assert.ok(r.output.includes(`chmod 700 ${dir}`), r.output);
    assert.match(r.output, /--insecure-permissions/);
    assert.doesNotMatch(r.output, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readdirSync(dir), []);
  });

  test('--insecure-permissions starts on it, with the files still owner-only', async () => {
    const dir = openDir();
    const r = await serve(['--data', dir, '--insecure-permissions']);
    assert.equal(r.code, 0, r.output);
    assert.equal(statSync(join(dir, 'admin-token')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'demo', 'credentials.json')).mode & 0o777, 0o600);
  });

  test('WXCOUPON_INSECURE_PERMISSIONS=1 does the same from the environment', async () => {
    const dir = openDir();
    assert.equal((await serve(['--data', dir], { WXCOUPON_INSECURE_PERMISSIONS: '1' })).code, 0);
    assert.equal((await serve(['--data', openDir()], { WXCOUPON_INSECURE_PERMISSIONS: '0' })).code, 1);
  });

  test('serve --help names the flag and the variable', async () => {
    const r = await serve(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.output, /--insecure-permissions/);
    assert.match(r.output, /WXCOUPON_INSECURE_PERMISSIONS=1/);
  });
});
