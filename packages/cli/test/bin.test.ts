import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, getPriority, tmpdir } from 'node:os';
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

test('the command sizes the thread pool to one thread per core', { skip: !built }, () => {
  const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
  const r = runBin(env);
  assert.match(r.stderr, new RegExp(`pool=${availableParallelism()}\\n`));
});

test('an explicit UV_THREADPOOL_SIZE is kept', { skip: !built }, () => {
  const r = runBin({ ...process.env, UV_THREADPOOL_SIZE: '7' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /pool=7\n/);
});

// The thread layout itself (bin/thread-pool.cjs, which the command loads first), read back from /proc: each
// thread's nice value is field 19 of /proc/self/task/<tid>/stat.
const threadPool = fileURLToPath(new URL('../bin/thread-pool.cjs', import.meta.url));
const niceProbe = join(dir, 'nice-probe.cjs');
writeFileSync(
  niceProbe,
  `const fs = require('node:fs');
const nice = {};
for (const t of fs.readdirSync('/proc/self/task')) {
  const stat = fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
  nice[t] = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
const { threadPool } = require(${JSON.stringify(threadPool)});
console.log(JSON.stringify({ pid: process.pid, nice, threadPool }));
`,
);

interface Layout {
  pid: number;
  nice: Record<string, number>;
  threadPool: { size: number; nice: number | null; reniced: number[] };
}

/** The nice value this test process runs at; children start at the same. */
const osNice = () => getPriority(0);

function layout(env: NodeJS.ProcessEnv, prefix: string[] = []): Layout {
  const argv = [...prefix, process.execPath, '--require', threadPool, niceProbe];
  const r = spawnSync(argv[0] as string, argv.slice(1), { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Layout;
}

const notLinux = process.platform === 'linux' ? false : 'thread priorities are per thread on Linux only';

test('the pool threads run 4 nice levels below the main thread; every other thread is left alone', {
  skip: notLinux,
}, () => {
  const l = layout({ ...process.env, UV_THREADPOOL_SIZE: '3', WXCOUPON_POOL_NICE: '' });
  assert.equal(l.threadPool.size, 3);
  assert.equal(l.threadPool.reniced.length, 3, 'all three pool threads, and only they, were found');
  const base = l.nice[String(l.pid)] as number;
  assert.equal(base, osNice(), 'the main thread keeps the priority it started with');
  for (const [tid, nice] of Object.entries(l.nice)) {
    assert.equal(nice, l.threadPool.reniced.includes(Number(tid)) ? Math.min(19, base + 4) : base, `thread ${tid}`);
  }
});

test('the pool is lowered relative to the process: under `nice -n 2` it runs at 2 + WXCOUPON_POOL_NICE', {
  skip: notLinux,
}, () => {
  const l = layout({ ...process.env, UV_THREADPOOL_SIZE: '2', WXCOUPON_POOL_NICE: '5' }, ['nice', '-n', '2']);
  const base = Math.min(19, osNice() + 2);
  assert.equal(l.nice[String(l.pid)], base);
  const pool = Math.min(19, base + 5);
  assert.deepEqual(
    l.threadPool.reniced.map((t) => l.nice[String(t)]),
    [pool, pool],
  );
  assert.equal(Object.values(l.nice).filter((n) => n === pool).length, pool === base ? Object.keys(l.nice).length : 2);
});

test('WXCOUPON_POOL_NICE=0 leaves every thread at the process priority', () => {
  const l = layout({ ...process.env, UV_THREADPOOL_SIZE: '2', WXCOUPON_POOL_NICE: '0' });
  assert.deepEqual(l.threadPool.reniced, []);
  assert.equal(l.threadPool.nice, null);
  assert.ok(Object.values(l.nice).every((n) => n === osNice()));
});

test('a WXCOUPON_POOL_NICE that is not 0-19 stops the command with a clear message', () => {
  for (const bad of ['-1', '20', 'low', '2.5']) {
    const r = spawnSync(process.execPath, ['--require', threadPool, '-e', '0'], {
      env: { ...process.env, WXCOUPON_POOL_NICE: bad },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, bad);
    assert.match(r.stderr, /WXCOUPON_POOL_NICE must be a whole number from 0 to 19/);
  }
});

test('a program embedding the platform can load the same layout: @wxcoupon/cli/thread-pool', () => {
  const r = spawnSync(
    process.execPath,
    ['--require', '@wxcoupon/cli/thread-pool', '-p', "require.resolve('@wxcoupon/cli/thread-pool')"],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(realpathSync(r.stdout.trim()), realpathSync(threadPool));
});
