#!/usr/bin/env node
// Runs every benchmark under bench/ (files named *.bench.ts), one after another, so they do not
// compete for the same cores. Each writes its own result file to bench/results/.
// Usage: node scripts/run-bench.mjs [name-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', join('bench', file)], {
    cwd: root,
    stdio: 'inherit',
    // Benches that host the platform or run the CLI in their own process run them as the `wxcoupon`
    // command does: libuv's pool sized to one thread per core besides the main thread's (see
    // packages/cli/bin/wxcoupon.cjs). The SDK bench keeps the default pool, as a user's process has.
    env: file.startsWith('sdk.')
      ? process.env
      : { UV_THREADPOOL_SIZE: String(Math.max(1, availableParallelism() - 1)), ...process.env },
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
