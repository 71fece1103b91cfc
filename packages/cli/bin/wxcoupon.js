#!/usr/bin/env node
// The `wxcoupon` command. The CLI is written in TypeScript and compiled to dist/ by `npm run build`
// (which `npm install` runs at the repository root).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('wxcoupon: the CLI is not built yet; run `npm run build` at the repository root');
  process.exit(1);
}
await import(entry.href);
