// CPU time of processes and of their main threads, read from Linux's /proc, for servers that run as several
// processes (`wxcoupon serve --workers N`). A process's main thread is the task whose id is the process id;
// its CPU is the event loop's (HTTP parsing, JSON, the database), without the thread pool's RSA work.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Microseconds per clock tick (utime and stime count ticks, usually 100 per second). */
const US_PER_TICK = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

export interface CpuSample {
  /** Every thread of every process, µs. */
  total: number;
  /** The main threads only, µs. */
  main: number;
}

/** The fields after `(comm)` of a stat line: state is [0], ppid [1], utime [11], stime [12]. */
function statFields(path: string): string[] | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function ticks(fields: string[] | undefined): number {
  return fields ? Number(fields[11]) + Number(fields[12]) : 0;
}

/** The node processes whose parent is `pid` (a primary's workers; not a helper such as tsx's esbuild). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(statFields(`/proc/${name}/stat`)?.[1]) === pid && isNode(name))
    .map(Number);
}

/** Node by its thread name: `node` up to Node 22, `MainThread` from Node 24. */
function isNode(pid: string): boolean {
  try {
    return ['node', 'MainThread'].includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  } catch {
    return false;
  }
}

/** CPU so far of `pids` (processes that exited count no more: sample the same set before and after). */
export function cpuOf(pids: readonly number[]): CpuSample {
  let total = 0;
  let main = 0;
  for (const pid of pids) {
    total += ticks(statFields(`/proc/${pid}/stat`));
    main += ticks(statFields(`/proc/${pid}/task/${pid}/stat`));
  }
  return { total: total * US_PER_TICK, main: main * US_PER_TICK };
}

export function cpuSince(before: CpuSample, after: CpuSample): CpuSample {
  return { total: after.total - before.total, main: after.main - before.main };
}
