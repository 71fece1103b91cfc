import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Every connection holds a file descriptor, and so do the database, its WAL files, outgoing notification
// requests and Node's own machinery. Past the limit, accept() fails and every client is refused alike, so
// each listener keeps its connections below a share of it (see listener.ts).
//
// Node raises the soft limit on open files to the hard limit itself when it starts on POSIX systems, so
// the limit read here is already the highest this process can have without privileges; nothing is left
// to raise from JavaScript (which has no setrlimit anyway).

/** The limit assumed when the system does not say. */
const UNKNOWN_LIMIT = 1024;
/** Descriptors kept back for everything but client connections. */
const MIN_RESERVE = 64;

/** This process's soft limit on open files, or undefined when it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    // Linux: "Max open files            1024                 4096                 files"
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft) return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    // Not Linux: ask a shell, which inherits this process's limits.
  }
  try {
    const out = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 }).stdout?.trim();
    if (out === 'unlimited') return Number.POSITIVE_INFINITY;
    const n = Number(out);
    if (Number.isInteger(n) && n > 0) return n;
  } catch {}
  return undefined;
}

/**
 * How many connections each of `listeners` listeners may keep open: the open-file limit less a reserve
 * (an eighth of it, at least 64), shared out evenly.
 */
export function connectionCap(listeners: number, limit = openFileLimit() ?? UNKNOWN_LIMIT): number {
  const usable = Number.isFinite(limit) ? limit : 1_048_576;
  const reserve = Math.max(MIN_RESERVE, Math.floor(usable / 8));
  return Math.max(1, Math.floor((usable - reserve) / Math.max(1, listeners)));
}
