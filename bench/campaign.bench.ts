// `wxcoupon campaign run` against the local platform: achieved send rate as a fraction of --qps, and the CLI's
// peak memory (RSS high-water mark) for a small and a large list in the same run, to show memory stays flat.
// The platform runs in this process (rate limit raised); the campaign runs as a child process, as a user runs it.
// A third, short run at a rate the machine can surely carry (BENCH_PACED_QPS) shows whether the limiter holds its
// target when CPU is not the limit.
// Usage: npm run bench -- campaign   (env: BENCH_RECIPIENTS=100000, BENCH_SMALL=10000, BENCH_QPS=1000,
//        BENCH_PACED_QPS=100)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform } from '../packages/platform/src/index.js';
import { runCampaignChild, writeOpenids } from './support/campaign-child.js';

const LARGE = Number(process.env['BENCH_RECIPIENTS'] ?? 100_000);
const SMALL = Number(process.env['BENCH_SMALL'] ?? 10_000);
const QPS = Number(process.env['BENCH_QPS'] ?? 1000);
const PACED_QPS = Number(process.env['BENCH_PACED_QPS'] ?? 100);
const CONCURRENCY = 64;

interface RunResult {
  recipients: number;
  qps: number;
  sent: number;
  exitCode: number | null;
  sendSeconds: number;
  achievedPerSecond: number;
  fractionOfTarget: number;
  peakRssMB: number;
  throttles: number;
  retries: number;
  wallSeconds: number;
  /** CPU milliseconds per coupon in the CLI process and in the platform (this process), measured in the same run. */
  cliCpuMsPerSend: number;
  platformCpuMsPerSend: number;
  /** Sends per second the machine's cores could carry at those costs, if nothing else ran: the ceiling for --qps. */
  cpuBoundPerSecond: number;
  /** Achieved ÷ the lower of --qps and the CPU ceiling: how much of what the machine allowed the campaign used. */
  fractionOfAttainable: number;
}

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-campaign-'));
const platform = await createPlatform({
  dataDir: dir,
  log: () => {},
  rateLimits: { 'favor.coupons.send': 1_000_000 },
});
try {
  const { url } = await platform.listen({ host: '127.0.0.1', port: 0 });
  const credentials = join(dir, 'credentials.json');
  writeFileSync(credentials, JSON.stringify({ ...platform.credentials, baseURL: url }));

  const results: Record<string, RunResult> = {};
  for (const [name, n, qps] of [
    ['small', SMALL, QPS],
    ['large', LARGE, QPS],
    ['paced', PACED_QPS * 30, PACED_QPS],
  ] as const) {
    results[name] = await runCampaign(name, n, qps, credentials);
    console.log(name, JSON.stringify(results[name]));
  }
  const large = results['large']!;
  const small = results['small']!;
  const report = {
    benchmark: 'campaign',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    qps: QPS,
    concurrency: CONCURRENCY,
    goal: { fractionOfTarget: 0.9 },
    results,
    memoryGrowth: Number((large.peakRssMB / small.peakRssMB).toFixed(2)),
    loadAverage: loadavg()[1]!.toFixed(1),
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/campaign.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('./results/campaign.md', import.meta.url), markdown(report));
  console.log(
    `achieved ${large.achievedPerSecond}/s of ${QPS}/s = ${(large.fractionOfTarget * 100).toFixed(1)}% (goal ≥ 90%), ` +
      `peak RSS ${large.peakRssMB} MB for ${LARGE} vs ${small.peakRssMB} MB for ${SMALL}`,
  );
} finally {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
}

async function runCampaign(name: string, n: number, qps: number, credentials: string): Promise<RunResult> {
  const favor = platform.context.services.favor;
  const c = platform.credentials;
  const now = Date.now();
  const { stock_id } = await favor.createStock(c.mchid, {
    stockName: `bench ${name}`,
    comment: undefined,
    belongMerchant: c.mchid,
    beginMs: now,
    endMs: now + 30 * 86_400_000,
    maxCoupons: n + 10,
    maxAmount: (n + 10) * 100,
    maxAmountByDay: undefined,
    maxCouponsPerUser: 1,
    naturalPersonLimit: false,
    preventApiAbuse: false,
    couponAmount: 100,
    transactionMinimum: 101,
    noCash: false,
    outRequestNo: `bench${now}${name}`,
    availableMerchants: [c.mchid],
    singleitem: false,
    rules: { description: 'bench', available_merchants: [c.mchid] },
  });
  await favor.start(c.mchid, stock_id, c.mchid);

  const input = join(dir, `${name}.txt`);
  await writeOpenids(input, n, `oBench${name}`);

  const started = performance.now();
  // CPU is counted from the campaign's start event, so process start-up and reading the list are left out.
  let platformCpu = process.cpuUsage();
  const child = await runCampaignChild(
    [
      ...[
        '--credentials',
        credentials,
        '--stock',
        stock_id,
        '--input',
        input,
        '--journal',
        join(dir, `${name}.sqlite`),
      ],
      ...['--qps', String(qps), '--concurrency', String(CONCURRENCY), '--progress-interval', '10000'],
    ],
    { onStart: () => (platformCpu = process.cpuUsage()) },
  );
  const platformUsage = process.cpuUsage(platformCpu);
  const wall = (performance.now() - started) / 1000;
  const { exitCode, peakKB } = child;
  const summary = child.summary as {
    totals?: { sent: number };
    run?: { sent: number; elapsedMs: number; throttles: number; retries: number };
  };
  const run = summary.run ?? { sent: 0, elapsedMs: 1, throttles: 0, retries: 0 };
  const achieved = run.sent / (run.elapsedMs / 1000);
  const cliMs = (child.ticksSinceStart * 10) / Math.max(1, run.sent);
  const platformMs = (platformUsage.user + platformUsage.system) / 1000 / Math.max(1, run.sent);
  return {
    recipients: n,
    sent: summary.totals?.sent ?? 0,
    exitCode,
    sendSeconds: Number((run.elapsedMs / 1000).toFixed(2)),
    achievedPerSecond: Math.round(achieved),
    qps,
    fractionOfTarget: Number((achieved / qps).toFixed(3)),
    peakRssMB: Number((peakKB / 1024).toFixed(1)),
    throttles: run.throttles,
    retries: run.retries,
    wallSeconds: Number(wall.toFixed(1)),
    cliCpuMsPerSend: Number(cliMs.toFixed(2)),
    platformCpuMsPerSend: Number(platformMs.toFixed(2)),
    cpuBoundPerSecond: Math.round((cpus().length * 1000) / (cliMs + platformMs)),
    fractionOfAttainable: Number((achieved / Math.min(qps, (cpus().length * 1000) / (cliMs + platformMs))).toFixed(3)),
  };
}

function markdown(r: {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  qps: number;
  concurrency: number;
  results: Record<string, RunResult>;
  memoryGrowth: number;
  loadAverage: string;
}): string {
  const rows = Object.entries(r.results).map(
    ([name, x]) =>
      `| ${name} | ${x.recipients.toLocaleString('en-US')} | ${x.qps} | ${x.sent.toLocaleString('en-US')} | ${x.sendSeconds} | ` +
      `${x.achievedPerSecond} | ${(x.fractionOfTarget * 100).toFixed(1)}% | ${x.peakRssMB} | ${x.cliCpuMsPerSend} | ` +
      `${x.platformCpuMsPerSend} | ${x.cpuBoundPerSecond} |`,
  );
  const large = r.results['large']!;
  const paced = r.results['paced']!;
  return `# Campaign throughput and memory

\`wxcoupon campaign run --api favor --qps ${r.qps} --concurrency ${r.concurrency}\` as a child process against the local
platform (same machine, send rate limit raised), every request signed and every answer verified. Achieved rate =
coupons sent ÷ sending time (from the first request to the last answer). Peak memory = the CLI process's RSS
high-water mark (VmHWM). Both list sizes ran one after the other in one run. ${r.date}, Node ${r.node},
${r.cpus} CPUs (${r.cpuModel}); the platform and the CLI share them.

| run | recipients | --qps | sent | seconds | sent/s | of target | peak RSS MB | CPU ms/send CLI | CPU ms/send platform | CPU ceiling/s |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

**Achieved ${(large.fractionOfTarget * 100).toFixed(1)}% of ${r.qps}/s** (goal ≥ 90%). Peak memory for the large list is
${r.memoryGrowth}× the small one's: the list is streamed into the journal and read back in pages, never held.

The CPU columns say where the time goes: each coupon costs the CLI one RSA signature (plus a verification) and
the platform a verification, its database transaction and an RSA signature of the answer. "CPU ceiling" is the
rate all ${r.cpus} cores could carry at those costs with nothing else running; when it is below --qps, the
machine, not the campaign's limiter, sets the rate. Against min(--qps, ceiling) the large run achieved
${(large.fractionOfAttainable * 100).toFixed(1)}%; the load average over the run (other work on the machine) was ${r.loadAverage}.
The paced run asks for a rate the machine can carry: there the campaign delivered
${(paced.fractionOfTarget * 100).toFixed(1)}% of --qps ${paced.qps}.
`;
}
