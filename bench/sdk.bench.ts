// Requests per second through @wxcoupon/sdk and through wechatpay-axios-plugin, against the same
// local server (in a child process) that verifies every request signature and signs the answers.
// Rounds alternate between the two clients at the same concurrency; the ratio is the median of the
// per-round ratios. Two server setups, each its own set of rounds:
// - remote-like: the server signs each distinct answer once per second and reuses that signature
//   (and nonce) for the rest of the second. On the real service the server's RSA work runs on WeChat
//   Pay's machines; here the server shares the clients' cores, and this keeps it out of their way.
// - full: the server signs every answer, spending about as much CPU per request as the client does.
// Usage: npm run bench -- sdk   (env: BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONCURRENCY)
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Wechatpay as PeerWechatpay } from 'wechatpay-axios-plugin';
import { Wechatpay } from '../packages/sdk/src/index.js';
import { fixtures } from '../packages/sdk/test/support/fixtures.js';
import { startSigningServer } from '../packages/sdk/test/support/signing-server.js';

if (process.argv.includes('--server')) {
  await serve();
} else {
  await main();
}

/**
 * Child process: the signing server, with the SDK tests' merchant and platform keys. Arguments: the
 * setup and the serial of the parent's merchant certificate (each issuance has its own). Prints its URL.
 */
async function serve(): Promise<void> {
  const [mode, merchantSerial] = process.argv.slice(process.argv.indexOf('--server') + 1);
  const f = await fixtures();
  const server = await startSigningServer({
    merchantPublicKey: f.merchantPublicKey,
    merchantSerial: merchantSerial as string,
    platformKey: f.platformKey,
    platformSerial: f.platformSerial,
    reuseSignatures: mode === 'remote-like',
    // `/stats` (not under /v3/, so unsigned and uncounted as API work) reports this process's CPU time.
    handler: (req) =>
      req.path === '/stats' ? { unsigned: true, json: process.cpuUsage() } : { json: { coupon_id: '9867041' } },
  });
  process.stdout.write(`${server.url}\n`);
  // Never outlive the benchmark: if the parent dies without a SIGTERM, this process is re-parented.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) server.close().then(() => process.exit(0));
  }, 1000).unref();
  process.on('SIGTERM', () => {
    server.close().then(() => process.exit(0));
  });
}

type Client = 'sdk' | 'peer';
type Mode = 'remote-like' | 'full';

interface ModeResult {
  rps: Record<Client, number[]>;
  medianRps: Record<Client, number>;
  clientCpuMicrosPerRequest: Record<Client, number>;
  serverCpuMicrosPerRequest: Record<Client, number>;
  ratioPerRound: number[];
  ratio: number;
  ratioOfMedians: number;
}

async function main(): Promise<void> {
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 10);
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 2);
  const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 64);

  const modes = {} as Record<Mode, ModeResult>;
  for (const mode of ['remote-like', 'full'] as const) {
    console.log(`-- server: ${mode}`);
    modes[mode] = await runMode(mode, rounds, seconds, concurrency);
  }
  const head = modes['remote-like'];
  const full = modes.full;
  const summary = {
    benchmark: 'POST /v3/marketing/favor/users/{openid}/coupons, signed request + verified signed answer',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    threadPoolSize: process.env['UV_THREADPOOL_SIZE'] ?? '4 (libuv default)',
    concurrency,
    roundSeconds: seconds,
    rounds,
    modes,
    ratio: head.ratio,
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    target: 1.5,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}sdk.json`, `${JSON.stringify(summary, null, 2)}\n`);
  const row = (m: ModeResult, c: Client, label: string) =>
    `| ${label} | ${m.medianRps[c]} | ${m.clientCpuMicrosPerRequest[c]} | ${m.serverCpuMicrosPerRequest[c]} | ${m.rps[c].join(', ')} |`;
  writeFileSync(
    `${dir}sdk.md`,
    [
      '# SDK throughput: @wxcoupon/sdk vs wechatpay-axios-plugin',
      '',
      `${summary.benchmark}, against one local server in a child process that verifies each request's`,
      'signature and signs the answers (both clients verify every answer). Same server, same concurrency,',
      `rounds interleaved in one run. Node ${summary.node}, ${summary.cpus} CPUs (${summary.cpuModel}), libuv pool`,
      `${summary.threadPoolSize} in the client process (a user's process as it comes).`,
      '',
      'Two server setups. **Remote-like**: the server signs each distinct answer once per second and reuses',
      "that signature (and nonce) for the rest of the second, so its RSA work does not take the clients' cores",
      "(on the real service it runs on WeChat Pay's machines). **Full**: the server signs every answer and",
      'spends about as much CPU per request as a client, on the same two cores.',
      '',
      '| server / client | median req/s | client CPU µs/req | server CPU µs/req | rounds (req/s) |',
      '| --- | ---: | ---: | ---: | --- |',
      row(head, 'sdk', 'remote-like / @wxcoupon/sdk'),
      row(head, 'peer', 'remote-like / wechatpay-axios-plugin 0.9.6'),
      row(full, 'sdk', 'full / @wxcoupon/sdk'),
      row(full, 'peer', 'full / wechatpay-axios-plugin 0.9.6'),
      '',
      `**Ratio (remote-like server): ${head.ratio}×** (median of the per-round ratios ${head.ratioPerRound.join(', ')}; ratio of the medians ${head.ratioOfMedians}×), target ≥ ${summary.target}×.`,
      `With the full server on the same cores: ${full.ratio}× (per round ${full.ratioPerRound.join(', ')}).`,
      `Concurrency ${concurrency}, ${rounds} rounds of ${seconds} s per client and setup, alternating which client goes first. Load average at the end: ${summary.loadAverageAtEnd.join(', ')}.`,
      '',
    ].join('\n'),
  );
  console.log(
    `sdk vs peer: ${head.ratio}x with a remote-like server (${head.medianRps.sdk} vs ${head.medianRps.peer} req/s), ${full.ratio}x with the full server`,
  );
}

async function runMode(mode: Mode, rounds: number, seconds: number, concurrency: number) {
  const f = await fixtures();
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), '--server', mode, f.merchantSerial],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const url = await firstLine(child);
    const config = {
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKeyPem,
      certs: { [f.platformSerial]: f.platformPublicKeyPem },
      baseURL: url,
    };
    const ours = new Wechatpay(config);
    const peer = new PeerWechatpay(config);
    const json = {
      stock_id: '9856000',
      out_request_no: '89560002019101000121',
      appid: 'wx233544546545989',
      stock_creator_mchid: '8956000',
    };
    const clients: Record<Client, () => Promise<unknown>> = {
      sdk: () =>
        ours.request('POST /v3/marketing/favor/users/{openid}/coupons', { params: { openid: 'oBENCH' }, body: json }),
      peer: () => peer.v3!.marketing!.favor!.users!.$openid$!.coupons!.post(json, { openid: 'oBENCH' }),
    };
    // Both clients must succeed (and so verify the answers) before anything is timed.
    for (const [name, call] of Object.entries(clients)) {
      const res = (await call()) as { status: number };
      if (res.status !== 200) throw new Error(`${name} got HTTP ${res.status}`);
    }
    for (const call of Object.values(clients)) await measure(call, concurrency, 1);

    const rps: Record<Client, number[]> = { sdk: [], peer: [] };
    const cpu: Record<Client, number[]> = { sdk: [], peer: [] };
    const server: Record<Client, number[]> = { sdk: [], peer: [] };
    for (let r = 0; r < rounds; r++) {
      // Alternate which client goes first so drift in machine load hits both alike.
      const order: Client[] = r % 2 === 0 ? ['sdk', 'peer'] : ['peer', 'sdk'];
      for (const name of order) {
        const before = await serverCpu(url);
        const m = await measure(clients[name], concurrency, seconds);
        server[name].push(Math.round(((await serverCpu(url)) - before) / m.requests));
        rps[name].push(Math.round(m.rps));
        cpu[name].push(Math.round(m.cpuMicros));
        console.log(
          `round ${r + 1} ${name.padEnd(4)} ${m.rps.toFixed(0)} req/s, CPU µs/request: client ${m.cpuMicros.toFixed(0)}, server ${server[name].at(-1)}`,
        );
      }
    }
    ours.close();
    // The machine is shared and its load drifts; a ratio per round compares two runs taken seconds
    // apart, and the median of those ratios is what is reported.
    const ratioPerRound = rps.sdk.map((x, i) => x / (rps.peer[i] as number));
    const result: ModeResult = {
      rps,
      medianRps: { sdk: Math.round(median(rps.sdk)), peer: Math.round(median(rps.peer)) },
      clientCpuMicrosPerRequest: { sdk: median(cpu.sdk), peer: median(cpu.peer) },
      serverCpuMicrosPerRequest: { sdk: median(server.sdk), peer: median(server.peer) },
      ratioPerRound: ratioPerRound.map((r) => Number(r.toFixed(2))),
      ratio: Number(median(ratioPerRound).toFixed(2)),
      ratioOfMedians: Number((median(rps.sdk) / median(rps.peer)).toFixed(2)),
    };
    return result;
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

interface Measurement {
  rps: number;
  requests: number;
  /** CPU time of this (client) process per request, µs, thread pool included. */
  cpuMicros: number;
}

async function measure(call: () => Promise<unknown>, concurrency: number, seconds: number): Promise<Measurement> {
  const deadline = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await call();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return {
    rps: done / ((performance.now() - start) / 1000),
    requests: done,
    cpuMicros: (cpu.user + cpu.system) / done,
  };
}

async function serverCpu(url: string): Promise<number> {
  const res = await fetch(new URL('stats', url));
  const { user, system } = (await res.json()) as { user: number; system: number };
  return user + system;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error('the server process has no stdout');
  const rl = createInterface({ input: child.stdout });
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  throw new Error('the server process exited before printing its URL');
}
