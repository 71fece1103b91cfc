import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory removed when the returned disposer runs. */
export function tempDir(prefix = 'wxcoupon-campaign-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `n` distinct openids in the format WeChat uses (28 characters of [A-Za-z0-9_-]). */
export function openids(n: number, prefix = 'oTest'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(28 - prefix.length, '0')}`);
}
