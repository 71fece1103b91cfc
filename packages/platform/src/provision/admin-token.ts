import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretToken } from '../ids.js';

/** Reads `<data>/admin-token`, creating it (owner-only) on first start. */
export function loadAdminToken(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return token;
  }
  const token = secretToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
