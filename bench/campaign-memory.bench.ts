// Memory of `wxcoupon campaign run` as the list grows: the CLI (a child process, as a user runs it) sends to
// a small stand-in server, so that lists of hundreds of thousands finish in minutes. The server verifies every
// request and signs its answers (one signature per second, reused: its RSA work would otherwise take the CLI's
// cores); the CLI signs every request, verifies every answer and journals every recipient as usual.
// Reported per list size: the CLI's peak RSS (VmHWM), its RSS through the run, and the unpaced send rate.
// Usage: npm run bench -- campaign-memory   (env: BENCH_SIZES=100000,300000)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures } from '../packages/sdk/test/support/fixtures.js';
import { startSigningServer } from '../packages/sdk/test/support/signing-server.js';
import { runCampaignChild, writeOpenids } from './support/campaign-child.js';

const SIZES = (process.env['BENCH_SIZES'] ?? '100000,300000').split(',').map(Number);

interface SizeResult {
  recipients: number;
  sent: number;
  exitCode: number | null;
  seconds: number;
  sentPerSecond: number;
  peakRssMB: number;
  /** RSS sampled every 0.5 s, at 25/50/75/95% of the run. */
  rssMBThroughRun: number[];
  /** Full (mark-compact) collections of the CLI's heap during the run. */
  fullGcs: number;
  /** The heap left after a full collection, median over the first and over the last quarter of them. */
  liveMBFirstQuarter: number;
  liveMBLastQuarter: number;
}

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-memory-'));
// The SDK tests' merchant and platform keys.
const f = await fixtures();
const server = await startSigningServer({
  merchantPublicKey: f.merchantPublicKey,
  merchantSerial: f.merchantSerial,
  platformKey: f.platformKey,
  platformSerial: f.platformSerial,
  reuseSignatures: true,
  handler: () => ({ json: { coupon_id: '98674556' } }),
});
try {
  writeFileSync(join(dir, 'merchant.pem'), f.merchantKeyPem);
  writeFileSync(join(dir, 'platform.pem'), f.platformPublicKeyPem);
  const credentials = join(dir, 'credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      baseURL: server.url,
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKeyFile: join(dir, 'merchant.pem'),
      platformPublicKeyId: f.platformSerial,
      platformPublicKeyFile: join(dir, 'platform.pem'),
      appid: f.appid,
    }),
  );
  const results: SizeResult[] = [];
  for (const n of SIZES) {
    results.push(await run(n, credentials));
    console.log(JSON.stringify(results.at(-1)));
  }
  const first = results[0] as SizeResult;
  const last = results.at(-1) as SizeResult;
  const report = {
    benchmark: 'campaign-memory',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    results,
    peakGrowth: Number((last.peakRssMB / first.peakRssMB).toFixed(2)),
    liveGrowth: Number((last.liveMBLastQuarter / first.liveMBLastQuarter).toFixed(2)),
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/campaign-memory.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    new URL('./results/campaign-memory.md', import.meta.url),
    [
      '# Campaign memory as the list grows',
      '',
      '`wxcoupon campaign run --api favor --qps 100000 --concurrency 64` as a child process against a stand-in server',
      'that verifies every request and signs its answers (one signature per second, reused), so that long lists finish',
      "in minutes; the CLI signs, verifies and journals every recipient as usual. Peak = the CLI process's RSS",
      `high-water mark (VmHWM). Live heap = the CLI's V8 heap right after each full (mark-compact) collection`,
      "(`--trace-gc`), what the process still holds: the median over the run's first and last quarter of them.",
      `${report.date}, Node ${report.node}, ${report.cpus} CPUs (${report.cpuModel}).`,
      '',
      '| recipients | sent | seconds | sent/s | peak RSS MB | RSS MB at 25 / 50 / 75 / 95% of the run | full GCs | live heap MB, first / last quarter |',
      '| ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
      ...results.map(
        (r) =>
          `| ${r.recipients.toLocaleString('en-US')} | ${r.sent.toLocaleString('en-US')} | ${r.seconds} | ${r.sentPerSecond} | ${r.peakRssMB} | ${r.rssMBThroughRun.join(' / ')} | ${r.fullGcs} | ${r.liveMBFirstQuarter} / ${r.liveMBLastQuarter} |`,
      ),
      '',
      `**Peak memory for ${last.recipients.toLocaleString('en-US')} recipients is ${report.peakGrowth}× that for ${first.recipients.toLocaleString('en-US')}; the live heap at the end of the run ${report.liveGrowth}×.**`,
      'The list is streamed into the journal and read back in pages; nothing per recipient stays in memory. The peak',
      'is garbage between two full collections (the heap grows to a few times what is live before V8 collects it), so',
      'a longer run, with more collections, meets a higher one by chance; what is live after each collection is the',
      'measure of what the run keeps.',
      '',
    ].join('\n'),
  );
  console.log(
    `campaign memory: peak ${first.peakRssMB} MB → ${last.peakRssMB} MB (${report.peakGrowth}×), live heap ${first.liveMBLastQuarter} → ${last.liveMBLastQuarter} MB (${report.liveGrowth}×)`,
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

async function run(n: number, credentials: string): Promise<SizeResult> {
  const input = join(dir, `list-${n}.txt`);
  await writeOpenids(input, n, 'oMemory');
  const started = performance.now();
  const child = await runCampaignChild(
    [
      ...[
        '--credentials',
        credentials,
        '--stock',
        '9856000',
        '--input',
        input,
        '--journal',
        join(dir, `j-${n}.sqlite`),
      ],
      ...['--qps', '100000', '--concurrency', '64', '--progress-interval', '60000'],
    ],
    { pollMs: 500, traceGc: true },
  );
  const seconds = (performance.now() - started) / 1000;
  const sent = (child.summary as { totals?: { sent: number } }).totals?.sent ?? 0;
  const rss = child.rssKB;
  const at = (f: number) => Math.round((rss[Math.min(rss.length - 1, Math.floor(rss.length * f))] ?? 0) / 1024);
  return {
    recipients: n,
    sent,
    exitCode: child.exitCode,
    seconds: Number(seconds.toFixed(1)),
    sentPerSecond: Math.round(sent / seconds),
    peakRssMB: Number((child.peakKB / 1024).toFixed(1)),
    rssMBThroughRun: [at(0.25), at(0.5), at(0.75), at(0.95)],
    fullGcs: child.liveAfterFullGc.length,
    liveMBFirstQuarter: medianOf(quarter(child.liveAfterFullGc, 0)),
    liveMBLastQuarter: medianOf(quarter(child.liveAfterFullGc, 3)),
  };
}

/** The `q`-th quarter (0–3) of a run's collections, at least one. */
function quarter(gcs: Array<{ mb: number }>, q: number): number[] {
  const size = Math.max(1, Math.floor(gcs.length / 4));
  const from = q === 3 ? Math.max(0, gcs.length - size) : q * size;
  return gcs.slice(from, from + size).map((g) => g.mb);
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
