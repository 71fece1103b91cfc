import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretToken } from './ids.js';
import { tighten, writePrivateFile } from './private-files.js';

/** Reads `<data>/admin-token`, creating it (owner-only) on first start. */
export function loadAdminToken(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    tighten(file);
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return token;
  }
  const token = secretToken();
  writePrivateFile(file, `${token}\n`);
  return token;
}
