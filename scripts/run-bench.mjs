#!/usr/bin/env node
// Runs every benchmark under bench/ (files named *.bench.ts), one after another, so they do not
// compete for the same cores. Each writes its own result file to bench/results/.
// Usage: node scripts/run-bench.mjs [name-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
  // Benches that host the platform or run the CLI in their own process set their threads up as the `wxcoupon`
  // command does (packages/cli/bin/thread-pool.cjs: a pool thread per core, below the event loop's priority).
  // The SDK bench keeps Node's defaults, as a user's process has them.
  const setup = file.startsWith('sdk.') ? [] : ['--require', join(root, 'packages/cli/bin/thread-pool.cjs')];
  const r = spawnSync(process.execPath, [...setup, '--conditions=source', '--import', 'tsx', join('bench', file)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
