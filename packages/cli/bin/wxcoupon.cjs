#!/usr/bin/env node
// The `wxcoupon` command. The CLI is written in TypeScript and compiled to dist/ by `npm run build`
// (which `npm install` runs at the repository root).
//
// This entry is CommonJS for one reason: libuv sizes its thread pool once, when the pool first starts,
// and an ES module entry has already started it while loading. RSA signing runs on that pool and the
// event loop (HTTP, JSON, SQLite) on the main thread; one pool thread per core besides the main
// thread's keeps both busy without the pool's threads taking the main thread's core away from it.
// An explicit UV_THREADPOOL_SIZE is left alone.
'use strict';
const { existsSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(1, availableParallelism() - 1));
}
const entry = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  console.error('wxcoupon: the CLI is not built yet; run `npm run build` at the repository root');
  process.exit(1);
}
import(pathToFileURL(entry).href).catch((err) => {
  console.error(err);
  process.exit(1);
});
