import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The installed `wxcoupon` command (bin/wxcoupon.cjs running the compiled CLI, as npx runs it).

const bin = fileURLToPath(new URL('../bin/wxcoupon.cjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bin-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Loaded before the entry runs; reports the pool size the process ended up with.
const probe = join(dir, 'probe.cjs');
writeFileSync(
  probe,
  "process.on('exit', () => process.stderr.write('pool=' + process.env.UV_THREADPOOL_SIZE + '\\n'));\n",
);

function runBin(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--require', probe, bin, '--help'], { env, encoding: 'utf8' });
}

test('wxcoupon --help runs from the compiled CLI', { skip: !built && 'run `npm run build` first' }, () => {
  const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
  const r = runBin(env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: wxcoupon <command>/);
});

test('the command sizes the thread pool to one thread per core besides the main thread', { skip: !built }, () => {
  const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
  const r = runBin(env);
  assert.match(r.stderr, new RegExp(`pool=${Math.max(1, availableParallelism() - 1)}\\n`));
});

test('an explicit UV_THREADPOOL_SIZE is kept', { skip: !built }, () => {
  const r = runBin({ ...process.env, UV_THREADPOOL_SIZE: '7' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /pool=7\n/);
});
