// Memory of `wxcoupon campaign run` as the list grows: the CLI (a child process, as a user runs it) sends to
// a small stand-in server, so that lists of hundreds of thousands finish in minutes. The server verifies every
// request and signs its answers (one signature per second, reused: its RSA work would otherwise take the CLI's
// cores); the CLI signs every request, verifies every answer and journals every recipient as usual.
// Reported per list size: the CLI's peak RSS (VmHWM), its RSS through the run, and the unpaced send rate.
// Usage: npm run bench -- campaign-memory   (env: BENCH_SIZES=100000,300000)
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateSerial } from '../packages/sdk/src/index.js';
import { generateRsaKeyPair, issueCertificate } from '../packages/sdk/src/pki/index.js';
import { startSigningServer } from '../packages/sdk/test/support/signing-server.js';

const SIZES = (process.env['BENCH_SIZES'] ?? '100000,300000').split(',').map(Number);
const MAIN = fileURLToPath(new URL('../packages/cli/src/main.ts', import.meta.url));
const MCHID = '1900000109';
const PLATFORM_ID = 'PUB_KEY_ID_0119000001092025112200000000000001';

interface SizeResult {
  recipients: number;
  sent: number;
  exitCode: number | null;
  seconds: number;
  sentPerSecond: number;
  peakRssMB: number;
  /** RSS sampled every 0.5 s, at 25/50/75/95% of the run. */
  rssMBThroughRun: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-memory-'));
const [ca, merchant, platform] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair()]);
const caCert = issueCertificate({
  subject: { CN: 'Bench CA' },
  publicKey: ca.publicKey,
  signingKey: ca.privateKey,
  isCA: true,
});
const cert = issueCertificate({
  subject: { CN: MCHID },
  publicKey: merchant.publicKey,
  signingKey: ca.privateKey,
  issuer: caCert.x509,
});
const server = await startSigningServer({
  merchantPublicKey: createPublicKey(cert.pem),
  merchantSerial: certificateSerial(cert.pem),
  platformKey: createPrivateKey(platform.privateKeyPem),
  platformSerial: PLATFORM_ID,
  reuseSignatures: true,
  handler: () => ({ json: { coupon_id: '98674556' } }),
});
try {
  writeFileSync(join(dir, 'merchant.pem'), merchant.privateKeyPem);
  writeFileSync(join(dir, 'platform.pem'), platform.publicKeyPem);
  const credentials = join(dir, 'credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      baseURL: server.url,
      mchid: MCHID,
      serial: certificateSerial(cert.pem),
      privateKeyFile: join(dir, 'merchant.pem'),
      platformPublicKeyId: PLATFORM_ID,
      platformPublicKeyFile: join(dir, 'platform.pem'),
      appid: 'wxd678efh567hg6787',
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
      `high-water mark (VmHWM). ${report.date}, Node ${report.node}, ${report.cpus} CPUs (${report.cpuModel}).`,
      '',
      '| recipients | sent | seconds | sent/s | peak RSS MB | RSS MB at 25 / 50 / 75 / 95% of the run |',
      '| ---: | ---: | ---: | ---: | ---: | --- |',
      ...results.map(
        (r) =>
          `| ${r.recipients.toLocaleString('en-US')} | ${r.sent.toLocaleString('en-US')} | ${r.seconds} | ${r.sentPerSecond} | ${r.peakRssMB} | ${r.rssMBThroughRun.join(' / ')} |`,
      ),
      '',
      `**Peak memory for ${last.recipients.toLocaleString('en-US')} recipients is ${report.peakGrowth}× that for ${first.recipients.toLocaleString('en-US')}.**`,
      'The list is streamed into the journal and read back in pages; nothing per recipient stays in memory.',
      '',
    ].join('\n'),
  );
  console.log(`campaign memory: peak ${first.peakRssMB} MB → ${last.peakRssMB} MB (${report.peakGrowth}×)`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

async function run(n: number, credentials: string): Promise<SizeResult> {
  const input = join(dir, `list-${n}.txt`);
  const out = createWriteStream(input);
  for (let i = 0; i < n; i++) out.write(`oMemory${String(i).padStart(21, '0')}\n`);
  out.end();
  await once(out, 'finish');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      MAIN,
      'campaign',
      'run',
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
      ...['--qps', '100000', '--concurrency', '64', '--json', '--progress-interval', '60000'],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout = (stdout + d).slice(-4096);
  });
  let peakKB = 0;
  const rss: number[] = [];
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKB = Math.max(peakKB, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0));
      rss.push(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0));
    } catch {}
  }, 500);
  const [exitCode] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { totals?: { sent: number } };
  const sent = summary.totals?.sent ?? 0;
  const at = (f: number) => Math.round((rss[Math.min(rss.length - 1, Math.floor(rss.length * f))] ?? 0) / 1024);
  return {
    recipients: n,
    sent,
    exitCode,
    seconds: Number(seconds.toFixed(1)),
    sentPerSecond: Math.round(sent / seconds),
    peakRssMB: Number((peakKB / 1024).toFixed(1)),
    rssMBThroughRun: [at(0.25), at(0.5), at(0.75), at(0.95)],
  };
}
