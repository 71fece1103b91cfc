#!/usr/bin/env node
// Runs every package's tests (and those of examples/) with node:test, TypeScript loaded through tsx and workspace
// packages resolved to their sources (the "source" export condition), so no build is needed.
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = [...walk(join(root, 'packages'), []), ...walk(join(root, 'examples'), [])]
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
function run(list, env) {
  const args = ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec', ...list];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', ...env },
  });
  return new Promise((done) => child.on('exit', (code, signal) => done(signal ? 1 : (code ?? 1))));
}

let status = await run(files, {});
// With a PostgreSQL server given (scripts/pg.sh run npm test), the platform's tests run once more on it.
const platformFiles = files.filter((f) => f.startsWith('packages/platform/'));
if (process.env.WXCOUPON_TEST_PG_URL && platformFiles.length > 0) {
  console.log('\n== platform tests on PostgreSQL');
  status = (await run(platformFiles, { WXCOUPON_TEST_ENGINE: 'postgres' })) || status;
}
process.exit(status);
