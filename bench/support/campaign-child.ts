// `wxcoupon campaign run` from the sources as a child process, as a user runs it (threads set up as the
// command sets them up), watched through /proc: the RSS high-water mark, RSS samples and CPU time. Shared by
// the campaign benchmarks.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
// Loaded first, as bin/wxcoupon.cjs loads it: the thread layout of the `wxcoupon` command.
const THREAD_POOL = fileURLToPath(new URL('../../packages/cli/bin/thread-pool.cjs', import.meta.url));

/** Writes `n` distinct 28-character openids starting with `prefix`, one per line. */
export async function writeOpenids(file: string, n: number, prefix: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) out.write(`${prefix}${String(i).padStart(28 - prefix.length, '0')}\n`);
  out.end();
  await once(out, 'finish');
}

export interface CampaignChildRun {
  exitCode: number | null;
  /** The last JSON line the command printed (its summary with --json). */
  summary: Record<string, unknown>;
  /** The kernel's RSS high-water mark (VmHWM); the last reading before exit is the peak. */
  peakKB: number;
  /** RSS (VmRSS) at every poll. */
  rssKB: number[];
  /** CPU clock ticks (10 ms) of the child from its `start` event to its last poll. */
  ticksSinceStart: number;
  /**
   * With `traceGc`: the main thread's heap after each full (mark-compact) collection, in MB, with the child's
   * uptime in ms: what the process still holds, apart from garbage not yet collected.
   */
  liveAfterFullGc: Array<{ ms: number; mb: number }>;
}

// `--trace-gc` prints one line per collection, e.g.
// `[123:0x6a1c2d0]   4567 ms: Mark-Compact 80.1 (108.0) -> 28.3 (65.2) MB, 12.3 / 0.0 ms  (…) …`.
const FULL_GC = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/;

/**
 * Runs `wxcoupon campaign run …args` (with --json) and polls it every `pollMs`. `onStart` runs when the
 * campaign reports its start, so callers can leave process start-up out of what they measure.
 */
export async function runCampaignChild(
  args: readonly string[],
  options: { pollMs?: number; onStart?: () => void; traceGc?: boolean } = {},
): Promise<CampaignChildRun> {
  const child = spawn(
    process.execPath,
    [
      ...(options.traceGc ? ['--trace-gc'] : []),
      ...[
        '--require',
        THREAD_POOL,
        '--conditions=source',
        '--import',
        'tsx',
        MAIN,
        'campaign',
        'run',
        ...args,
        '--json',
      ],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let tail = '';
  let startTicks: number | undefined;
  // Full collections per isolate: the loader's thread (tsx) has an isolate of its own, the CLI's is the larger.
  const fullGcs = new Map<string, Array<{ ms: number; mb: number }>>();
  let partial = '';
  child.stdout.on('data', (d) => {
    if (options.traceGc) {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = FULL_GC.exec(line);
        if (!m) continue;
        const list = fullGcs.get(m[1] as string) ?? [];
        list.push({ ms: Number(m[2]), mb: Number(m[3]) });
        fullGcs.set(m[1] as string, list);
      }
    }
    tail = (tail + d).slice(-65536);
    if (startTicks === undefined && tail.includes('"type":"start"')) {
      startTicks = ticksOf(child.pid) ?? 0;
      options.onStart?.();
    }
  });
  let peakKB = 0;
  let ticks = 0;
  const rssKB: number[] = [];
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKB = Math.max(peakKB, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0));
      rssKB.push(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0));
      ticks = ticksOf(child.pid) ?? ticks;
    } catch {}
  }, options.pollMs ?? 100);
  const [exitCode] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  const peakOf = (list: Array<{ mb: number }>) => Math.max(...list.map((g) => g.mb));
  const isolates = [...fullGcs.values()].sort((a, b) => peakOf(b) - peakOf(a));
  return {
    exitCode,
    summary: JSON.parse(
      tail
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .at(-1) ?? '{}',
    ) as Record<string, unknown>,
    liveAfterFullGc: isolates[0] ?? [],
    peakKB,
    rssKB,
    ticksSinceStart: ticks - (startTicks ?? 0),
  };
}

/** utime + stime of a process in clock ticks (10 ms): fields 14 and 15 of /proc/PID/stat. */
function ticksOf(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
