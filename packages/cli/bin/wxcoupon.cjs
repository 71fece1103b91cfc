#!/usr/bin/env node
// The `wxcoupon` command. The CLI is written in TypeScript and compiled to dist/ by `npm run build`
// (which `npm install` runs at the repository root).
//
// This entry is CommonJS for one reason: libuv sizes its thread pool and creates its threads once, when the
// pool first starts, and an ES module entry has already started it while loading. thread-pool.cjs sets the
// pool up first (one thread per core, below the event loop's priority; see there).
'use strict';
require('./thread-pool.cjs');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const entry = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  console.error('wxcoupon: the CLI is not built yet; run `npm run build` at the repository root');
  process.exit(1);
}
import(pathToFileURL(entry).href).catch((err) => {
  console.error(err);
  process.exit(1);
});
