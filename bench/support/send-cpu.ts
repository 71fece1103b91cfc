// Main-thread CPU per coupon of the platform's 代金券 send (SQLite), robust on a shared machine: the
// platform runs in this process, the load generator (platform.bench.ts --load) in a child that signs in
// advance; the event loop's own CPU time is read from /proc/self/task/<pid>/stat (Linux), so the RSA
// pool's threads and other processes do not count (the tick is 10 ms: N=5000 gives about 0.5% resolution).
// BENCH_FLOOR=1 measures support/floor-server.ts instead (BENCH_FLOOR=store: the floor that also stores each send), BENCH_JOURNAL=0 the platform without its journal,
// BENCH_PROFILE=<file> writes a CPU profile of the measured rounds. Usage:
//   node --require ./packages/cli/bin/thread-pool.cjs --conditions=source --import tsx bench/support/send-cpu.ts [N] [rounds]
import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPlatform } from '../../packages/platform/src/index.js';
import { type FloorServer, startFloorServer } from './floor-server.js';

const n = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 3);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const journal = process.env['BENCH_JOURNAL'] !== '0';

function mainThreadTicks(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
  return Number(fields[11]) + Number(fields[12]);
}

const bench = fileURLToPath(new URL('../platform.bench.ts', import.meta.url));

async function load(credentials: string, count: number, tag: string) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', bench, '--load', credentials, String(count), String(concurrency), tag],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let line = '';
  for await (const l of createInterface({ input: child.stdout })) line = l;
  await once(child, 'exit').catch(() => {});
  return JSON.parse(line) as { ok: number; rps: number; errors: Record<string, number> };
}

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sendcpu-'));
const platform = await createPlatform({
  dataDir: dir,
  rateLimits: { 'favor.coupons.send': 1_000_000_000 },
  ...(journal ? {} : { journal: false as const }),
  log: () => {},
});
await platform.listen({ host: '127.0.0.1', port: 0, tlsPort: false });
let credentials = join(dir, 'demo', 'credentials.json');
let floor: FloorServer | undefined;
if (process.env['BENCH_FLOOR'] === '1' || process.env['BENCH_FLOOR'] === 'store') {
  // The same measurement of the floor server (support/floor-server.ts), for the ratio.
  const demo = JSON.parse(readFileSync(credentials, 'utf8'));
  floor = await startFloorServer({
    merchantKey: createPublicKey(readFileSync(demo.certificateFile)),
    platformKey: platform.context.keys.publicKey.privateKey,
    keyId: demo.platformPublicKeyId,
    ...(process.env['BENCH_FLOOR'] === 'store' ? { store: join(dir, 'floor.sqlite') } : {}),
  });
  credentials = join(dir, 'floor-credentials.json');
  writeFileSync(credentials, JSON.stringify({ ...demo, baseURL: floor.url }));
}
await load(credentials, 1000, 'warm');
const results: number[] = [];
const profile = process.env['BENCH_PROFILE'];
const session = profile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
for (let r = 0; r < rounds; r++) {
  const t0 = mainThreadTicks();
  const c0 = process.cpuUsage();
  const res = await load(credentials, n, `r${r}`);
  const ticks = mainThreadTicks() - t0;
  const cpu = process.cpuUsage(c0);
  const us = (ticks * 10_000) / Math.max(1, res.ok);
  results.push(us);
  console.log(
    `round ${r + 1}: ${res.ok}/${n} ok, main thread ${us.toFixed(0)} µs/coupon, process ${((cpu.user + cpu.system) / Math.max(1, res.ok)).toFixed(0)} µs/coupon, ${res.rps.toFixed(0)}/s ${JSON.stringify(res.errors)}`,
  );
}
if (session && profile) {
  const { profile: p } = await session.post('Profiler.stop');
  writeFileSync(profile, JSON.stringify(p));
}
results.sort((a, b) => a - b);
console.log(
  `median main thread µs/coupon: ${results[Math.floor(results.length / 2)]?.toFixed(0)} (min ${results[0]?.toFixed(0)})`,
);
await floor?.close();
await platform.close();
rmSync(dir, { recursive: true, force: true });
