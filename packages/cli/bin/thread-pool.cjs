'use strict';
// How a `wxcoupon` process lays out its threads, done once when this file is loaded, which must be before
// anything else runs: bin/wxcoupon.cjs requires it first, and `node --require` loads it the same way.
//
// RSA signing runs on libuv's thread pool; the event loop (HTTP parsing, JSON, SQLite, writing answers) runs
// on the main thread. Every request passes through the event loop, so when the two compete for the CPU the
// loop must win: a signature that waits a moment costs nothing, a starved loop holds up every request. At the
// same nice value the kernel shares the cores evenly, and with a pool thread per core the loop got little more
// than half a core under load. So on Linux, where each thread has its own nice value, the pool's threads run
// a few nice levels below the main thread. Then the pool can have a thread per core and take whatever CPU the
// loop leaves, instead of leaving a core idle for the loop's sake.
//
// UV_THREADPOOL_SIZE (default: one thread per core) and WXCOUPON_POOL_NICE (default 4: how many nice levels
// below the main thread; 0 leaves the pool's priority alone) override.
const { readdirSync } = require('node:fs');
const os = require('node:os');
const { isMainThread } = require('node:worker_threads');

const DEFAULT_POOL_NICE = 4;

/**
 * Sizes libuv's pool (unless UV_THREADPOOL_SIZE is set), starts it, and on Linux lowers its threads' priority.
 * Must run before anything uses the pool: libuv reads the size and creates every pool thread when the first
 * job is submitted. Returns what it did; `reniced` is empty when the pool was already running, the platform
 * is not Linux, or WXCOUPON_POOL_NICE is 0.
 * @returns {{ size: number, nice: number | null, reniced: number[] }} `nice`: the pool threads' new nice value
 */
function setUpThreadPool(env = process.env) {
  if (!env.UV_THREADPOOL_SIZE) env.UV_THREADPOOL_SIZE = String(os.availableParallelism());
  const size = Number(env.UV_THREADPOOL_SIZE);
  const step = poolNice(env.WXCOUPON_POOL_NICE);
  // A worker thread shares its process's pool, which the main thread has set up.
  if (!isMainThread || step === 0 || process.platform !== 'linux') return { size, nice: null, reniced: [] };
  let before;
  try {
    before = new Set(readdirSync('/proc/self/task'));
  } catch {
    return { size, nice: null, reniced: [] };
  }
  // The first job starts the pool: libuv creates all of its threads before this call returns, so the threads
  // that appear now are the pool's and no other's.
  require('node:crypto').randomFill(Buffer.alloc(1), () => {});
  const fresh = readdirSync('/proc/self/task')
    .filter((t) => !before.has(t))
    .map(Number);
  const nice = Math.min(19, os.getPriority(0) + step);
  const reniced = [];
  for (const tid of fresh) {
    try {
      // On Linux a thread id names that thread alone; raising one's own nice value needs no privilege.
      os.setPriority(tid, nice);
      reniced.push(tid);
    } catch {
      // Scheduling is a tuning; a process that may not change it still works.
    }
  }
  return { size, nice, reniced };
}

function poolNice(value) {
  if (value === undefined || value === '') return DEFAULT_POOL_NICE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 19) {
    process.stderr.write(
      `wxcoupon: WXCOUPON_POOL_NICE must be a whole number from 0 to 19 (got ${JSON.stringify(value)})\n`,
    );
    process.exit(1);
  }
  return n;
}

module.exports = { DEFAULT_POOL_NICE, threadPool: setUpThreadPool() };
