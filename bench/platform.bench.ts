// Send-coupon throughput of the platform over HTTP, with real signing on both sides: the load
// generator (a child process) signs every request in advance, then fires them with a fixed number
// in flight over lean keep-alive connections (support/raw-http.ts) and verifies each signed answer; the platform verifies each request and signs each
// answer. The RSA sign+verify bound of the same machine is measured in the same run, so the
// platform's throughput is reported as a fraction of what the crypto alone allows. Besides the platform
// in this process, `wxcoupon serve --workers 1` and `--workers 2` run as processes of their own, their CPU
// read from /proc for every process and for the main threads (support/proc-cpu.ts).
// Usage: npm run bench -- platform   (env: BENCH_REQUESTS, BENCH_CONCURRENCY, BENCH_ROUNDS)
import { type ChildProcess, spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, getPriority as osPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Db, databaseTarget, openDatabase } from '../packages/platform/src/db/database.js';
import { createPlatform } from '../packages/platform/src/index.js';
import { MemoryRateLimiter } from '../packages/platform/src/rate-limit/memory-rate-limiter.js';
import {
  loadPrivateKey,
  loadPublicKey,
  nonce,
  responseMessage,
  rsaSignAsync,
  rsaVerify,
  rsaVerifyAsync,
  timestamp,
} from '../packages/sdk/src/crypto/index.js';
import { type FloorServer, startFloorServer } from './support/floor-server.js';
import { presignSends } from './support/presign.js';
import { childrenOf, cpuOf, cpuSince } from './support/proc-cpu.js';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { startServeProcess } from './support/serve-process.js';

interface LoadResult {
  sent: number;
  ok: number;
  errors: Record<string, number>;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** CPU the load generator itself spent per request (sending, verifying, parsing). */
  loadCpuUsPerRequest: number;
  couponIds: string[];
}

if (process.argv.includes('--load')) await load();
else if (process.argv.includes('--crypto-bound')) {
  process.stdout.write(`${await cryptoBound(Number(process.argv[process.argv.indexOf('--crypto-bound') + 1]))}\n`);
} else await main();

/** Child: pre-signs BENCH_REQUESTS sends, then runs them against the URL and prints a JSON result. */
async function load(): Promise<void> {
  const [credentialsFile, total, concurrency, tag] = process.argv.slice(process.argv.indexOf('--load') + 1);
  const c = JSON.parse(readFileSync(credentialsFile as string, 'utf8'));
  const key = loadPrivateKey(readFileSync(c.privateKeyFile));
  const platformKey = loadPublicKey(readFileSync(c.platformPublicKeyFile));
  const url = new URL(c.baseURL);
  const n = Number(total);
  // Pre-signing is not timed.
  const prepared = await presignSends(c, key, n, (i) => ({
    openid: `o-bench-${tag}-${i % 5000}`,
    outRequestNo: `b${tag}x${i}`,
  }));
  const requests = prepared.map((p) =>
    rawRequest(
      'POST',
      url.host,
      p.path,
      {
        Authorization: p.auth,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'User-Agent': 'wxcoupon-bench',
        'Wechatpay-Serial': c.platformPublicKeyId,
      },
      p.body,
    ),
  );
  const connections = await Promise.all(
    Array.from({ length: Number(concurrency) }, () => RawConnection.open(url.hostname, Number(url.port))),
  );
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const couponIds: string[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    connections.map(async (connection) => {
      while (next < requests.length) {
        const t0 = performance.now();
        const res = await connection.send(requests[next++] as Buffer);
        latencies.push(performance.now() - t0);
        const text = res.body.toString('utf8');
        if (res.status === 200) {
          const h = res.headers;
          const ok = rsaVerify(
            responseMessage(h.get('wechatpay-timestamp') ?? '', h.get('wechatpay-nonce') ?? '', text),
            h.get('wechatpay-signature') ?? '',
            platformKey,
          );
          if (!ok) throw new Error('a response signature did not verify');
          couponIds.push((JSON.parse(text) as { coupon_id: string }).coupon_id);
        } else {
          const code = `${res.status} ${(JSON.parse(text || '{}') as { code?: string }).code ?? ''}`;
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const connection of connections) connection.close();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    sent: n,
    ok: couponIds.length,
    errors,
    seconds,
    rps: couponIds.length / seconds,
    p50ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    loadCpuUsPerRequest: (cpu.user + cpu.system) / n,
    couponIds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * The machine's RSA-2048 SHA256withRSA sign + verify pairs per second on all cores: measured in child
 * processes with libuv's default pool (4 threads) and with one pool thread per core, each for `ms`;
 * the highest rate is the bound.
 */
async function machineCryptoBound(ms: number): Promise<number> {
  const rates: number[] = [];
  for (const pool of [undefined, String(cpus().length)]) {
    const env = { ...process.env };
    if (pool) env['UV_THREADPOOL_SIZE'] = pool;
    else delete env['UV_THREADPOOL_SIZE'];
    rates.push(Number(await runChild(['--crypto-bound', String(ms / 2)], env)));
  }
  return Math.max(...rates);
}

/**
 * Child: sign + verify pairs per second for `ms`, 64 pairs in flight: signing on the thread pool,
 * verifying both ways (on the pool, and inline as the platform does); the higher rate is reported.
 */
async function cryptoBound(ms: number): Promise<number> {
  const { privateKey, publicKey } = await import('../packages/sdk/src/pki/index.js').then((m) =>
    m.generateRsaKeyPair(),
  );
  const message = responseMessage(timestamp(), nonce(), JSON.stringify({ coupon_id: '123456789012345678' }));
  const rates: number[] = [];
  for (const inline of [false, true]) {
    const deadline = performance.now() + ms / 2;
    let pairs = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (performance.now() < deadline) {
          const sig = await rsaSignAsync(message, privateKey);
          const ok = inline ? rsaVerify(message, sig, publicKey) : await rsaVerifyAsync(message, sig, publicKey);
          if (!ok) throw new Error('verify failed');
          pairs++;
        }
      }),
    );
    rates.push(pairs / ((performance.now() - start) / 1000));
  }
  return Math.max(...rates);
}

interface SetupResult {
  setup: string;
  rateLimiter: string;
  journal: boolean;
  /** `wxcoupon serve --workers N` in processes of its own; absent: the platform in the bench process. */
  workers?: number;
  rounds: Array<MeasuredRun & { overFloor: number }>;
  medianRound: {
    rps: number;
    p50ms: number;
    p99ms: number;
    platformCpuUsPerCoupon: number;
    mainThreadCpuUsPerCoupon: number;
    loadCpuUsPerRequest: number;
  };
  fractionOfCryptoBound: number;
  consistency: { answeredCoupons: number; couponRows: number; distributedCounter: number };
}

interface Setup {
  name: string;
  limiter: string;
  journal: boolean;
  workers: number | undefined;
  db: Db;
  stockId: string;
  dir: string;
  credentials: string;
  /** The processes serving it, whose CPU is its CPU. */
  pids: () => number[];
  close: () => Promise<void>;
  runs: MeasuredRun[];
  issued: Set<string>;
}

async function main(): Promise<void> {
  const requests = Number(process.env['BENCH_REQUESTS'] ?? 4000);
  const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
  // 4000 sends per setup and round keep the five setups and the floor within about five minutes on 2 quiet cores.
  // The platform as shipped (rate limits counted in the database, shared by instances; the request
  // journal on), the same platform without the journal, to show what journaling every request costs,
  // and with the in-memory limiter, to show what the shared limiter costs per coupon.
  const setups: Setup[] = [];
  let floorKey: Parameters<typeof startFloorServer>[0]['platformKey'] | undefined;
  for (const [name, limiter, journal] of [
    ['default', undefined, true],
    ['journal-off', undefined, false],
    ['memory-rate-limiter', new MemoryRateLimiter(Date.now), true],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-'));
    const platform = await createPlatform({
      dataDir: dir,
      rateLimits: { 'favor.coupons.send': 1_000_000_000 },
      ...(limiter ? { rateLimiter: limiter } : {}),
      ...(journal ? {} : { journal: false as const }),
      log: (l) => console.error(l),
    });
    await platform.listen({ host: '127.0.0.1', port: 0, tlsPort: false });
    floorKey ??= platform.context.keys.publicKey.privateKey;
    setups.push({
      name,
      limiter: platform.context.rateLimiter.constructor.name,
      journal,
      workers: undefined,
      db: platform.context.db,
      stockId: platform.credentials.favorStockId,
      dir,
      credentials: join(dir, 'demo', 'credentials.json'),
      pids: () => [process.pid],
      close: async () => {
        await platform.close();
      },
      runs: [],
      issued: new Set(),
    });
  }
  // `wxcoupon serve` with one handler process and with two (a primary and two workers on one port and one
  // SQLite file), as shipped: rate limits in the database, journal on.
  for (const workers of [1, 2]) {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-bench-'));
    const serve = await startServeProcess(dir, [
      '--workers',
      String(workers),
      '--rate-limits',
      'favor.coupons.send=1000000000',
    ]);
    const credentials = join(dir, 'demo', 'credentials.json');
    const db = openDatabase(databaseTarget(undefined, dir));
    setups.push({
      name: `serve --workers ${workers}`,
      limiter: 'DatabaseRateLimiter',
      journal: true,
      workers,
      db,
      stockId: JSON.parse(readFileSync(credentials, 'utf8')).favorStockId,
      dir,
      credentials,
      pids: () => [serve.pid, ...childrenOf(serve.pid)],
      close: async () => {
        await serve.stop();
        await db.destroy();
      },
      runs: [],
      issued: new Set(),
    });
  }
  // The floor: a bare server doing only the protocol's work per send (support/floor-server.ts), with the
  // demo merchant's keys, driven by the same load generator in the same rounds.
  const demo = JSON.parse(readFileSync((setups[0] as Setup).credentials, 'utf8'));
  let floor: FloorServer | undefined;
  let storedFloor: FloorServer | undefined;
  const floorRuns: MeasuredRun[] = [];
  const storedFloorRuns: MeasuredRun[] = [];
  try {
    // The bare floor, and the floor plus the least storage a durable, budgeted, idempotent send needs
    // (support/floor-server.ts), each with the credentials file the load generator reads.
    const startFloor = async (name: string, store?: string) => {
      const server = await startFloorServer({
        merchantKey: createPublicKey(readFileSync(demo.certificateFile)),
        platformKey: floorKey as NonNullable<typeof floorKey>,
        keyId: demo.platformPublicKeyId,
        ...(store ? { store } : {}),
      });
      const file = join((setups[0] as Setup).dir, `${name}-credentials.json`);
      writeFileSync(file, JSON.stringify({ ...demo, baseURL: server.url }));
      return { server, file };
    };
    const bare = await startFloor('floor');
    floor = bare.server;
    const floorCredentials = bare.file;
    const stored = await startFloor('stored-floor', join((setups[0] as Setup).dir, 'stored-floor.sqlite'));
    storedFloor = stored.server;
    const storedFloorCredentials = stored.file;
    const bounds: number[] = [];
    // Warm-up (JIT, SQLite pages, sockets), then rounds: the crypto bound, then each setup, alternating
    // which goes first so drift in the machine's load hits both alike; the floor last.
    for (const s of setups) await runLoad(s.credentials, 1000, concurrency, 'warm');
    await runLoad(floorCredentials, 1000, concurrency, 'warm');
    await runLoad(storedFloorCredentials, 1000, concurrency, 'warm');
    for (let r = 0; r < rounds; r++) {
      bounds.push(await machineCryptoBound(3000));
      for (const s of r % 2 === 0 ? setups : [...setups].reverse()) {
        const { couponIds, run: res } = await measuredLoad(s.credentials, s.pids, requests, concurrency, `r${r}`);
        for (const id of couponIds) s.issued.add(id);
        s.runs.push(res);
        console.log(
          `round ${r + 1} ${s.name}: ${res.rps.toFixed(0)} coupons/s (p50 ${res.p50ms.toFixed(1)} ms, p99 ${res.p99ms.toFixed(1)} ms), crypto bound ${bounds[r]?.toFixed(0)} sign+verify/s`,
        );
      }
      // The floors run in this process: its CPU is theirs.
      const floorRun = (await measuredLoad(floorCredentials, () => [process.pid], requests, concurrency, `f${r}`)).run;
      floorRuns.push(floorRun);
      console.log(`round ${r + 1} floor: ${floorRun.rps.toFixed(0)} coupons/s`);
      const storedRun = (
        await measuredLoad(storedFloorCredentials, () => [process.pid], requests, concurrency, `s${r}`)
      ).run;
      storedFloorRuns.push(storedRun);
      console.log(`round ${r + 1} floor + storage: ${storedRun.rps.toFixed(0)} coupons/s`);
    }
    const bound = median(bounds);
    const results: SetupResult[] = [];
    for (const s of setups) {
      const db = s.db;
      const rows = await db
        .selectFrom('favor_coupons')
        .select('coupon_id')
        .where('out_request_no', 'not like', 'bwarm%')
        .execute();
      const stock = await db
        .selectFrom('favor_stocks')
        .selectAll()
        .where('stock_id', '=', s.stockId)
        .executeTakeFirstOrThrow();
      const mid = medianRun(s.runs);
      results.push({
        setup: s.name,
        rateLimiter: s.limiter,
        journal: s.journal,
        ...(s.workers ? { workers: s.workers } : {}),
        rounds: s.runs.map((r, i) => ({
          ...r,
          rps: Math.round(r.rps),
          p50ms: round1(r.p50ms),
          p99ms: round1(r.p99ms),
          seconds: round1(r.seconds),
          loadCpuUsPerRequest: Math.round(r.loadCpuUsPerRequest),
          platformCpuUsPerCoupon: Math.round(r.platformCpuUsPerCoupon),
          mainThreadCpuUsPerCoupon: Math.round(r.mainThreadCpuUsPerCoupon),
          overFloor: Number((r.rps / (floorRuns[i]?.rps ?? r.rps)).toFixed(2)),
        })),
        medianRound: {
          rps: Math.round(mid.rps),
          p50ms: round1(mid.p50ms),
          p99ms: round1(mid.p99ms),
          platformCpuUsPerCoupon: Math.round(mid.platformCpuUsPerCoupon),
          mainThreadCpuUsPerCoupon: Math.round(mid.mainThreadCpuUsPerCoupon),
          loadCpuUsPerRequest: Math.round(mid.loadCpuUsPerRequest),
        },
        fractionOfCryptoBound: Number((mid.rps / bound).toFixed(3)),
        consistency: {
          answeredCoupons: s.issued.size,
          couponRows: rows.length,
          distributedCounter: Number(stock.distributed_coupons) - 1000,
        },
      });
    }
    const floorMid = medianRun(floorRuns);
    const asShipped = (results[0] as SetupResult).rounds;
    const perRound = floorRuns.map((f, i) => (asShipped[i]?.rps ?? 0) / f.rps);
    const floorSummary = {
      description:
        'node:http; verify the request, parse it, sign a {"coupon_id"} answer; no framework, validation or database',
      rounds: floorRuns.map(serverRound),
      medianRps: Math.round(floorMid.rps),
      medianServerCpuUsPerCoupon: Math.round(floorMid.platformCpuUsPerCoupon),
      medianMainThreadCpuUsPerCoupon: Math.round(floorMid.mainThreadCpuUsPerCoupon),
      platformOverFloorPerRound: perRound.map((x) => Number(x.toFixed(2))),
      platformOverFloor: Number(median(perRound).toFixed(2)),
    };
    const storedOverFloor = storedFloorRuns.map((f, i) => f.rps / (floorRuns[i]?.rps ?? f.rps));
    const platformOverStored = storedFloorRuns.map((f, i) => (asShipped[i]?.rps ?? 0) / f.rps);
    const storedFloorSummary = {
      description:
        'the floor, plus per send: budget row counted down, coupon inserted under a unique request number, group commit before the answer (SQLite, WAL, synchronous=NORMAL)',
      rounds: storedFloorRuns.map((f, i) => ({
        ...serverRound(f),
        overFloor: Number((storedOverFloor[i] ?? 0).toFixed(2)),
      })),
      overFloorPerRound: storedOverFloor.map((x) => Number(x.toFixed(2))),
      overFloor: Number(median(storedOverFloor).toFixed(2)),
      platformOverStoredPerRound: platformOverStored.map((x) => Number(x.toFixed(2))),
      platformOverStored: Number(median(platformOverStored).toFixed(2)),
    };
    // Journal on against off, round by round (the two ran back to back in each round, in alternating order).
    const withJournal = (results[0] as SetupResult).rounds;
    const withoutJournal = (results.find((r) => !r.journal) as SetupResult).rounds;
    const journalRatios = withJournal.map((r, i) => r.rps / (withoutJournal[i]?.rps ?? r.rps));
    const journalSummary = {
      description: 'the platform as shipped (journal on) against the same platform with journal: false',
      rpsOnOverOffPerRound: journalRatios.map((x) => Number(x.toFixed(3))),
      rpsOnOverOff: Number(median(journalRatios).toFixed(3)),
      p50msOn: withJournal.map((r) => r.p50ms),
      p50msOff: withoutJournal.map((r) => r.p50ms),
      platformCpuUsPerCouponOn: withJournal.map((r) => r.platformCpuUsPerCoupon),
      platformCpuUsPerCouponOff: withoutJournal.map((r) => r.platformCpuUsPerCoupon),
      journaledRows: Number(
        (
          await (setups[0] as Setup).db
            .selectFrom('request_journal')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      target: 'at most 5% slower (on/off ≥ 0.95)',
    };
    // One handler process against two, each beside the floor of the same round.
    const handlerResults = results.filter((r) => r.workers !== undefined);
    const handlers = {
      description:
        '`wxcoupon serve --workers N` in its own processes (a primary and N workers for N > 1); CPU summed over all of them',
      setups: handlerResults.map((r) => ({
        workers: r.workers,
        medianRps: r.medianRound.rps,
        overFloorPerRound: r.rounds.map((x) => x.overFloor),
        overFloor: Number(median(r.rounds.map((x) => x.overFloor)).toFixed(2)),
        platformCpuUsPerCoupon: r.medianRound.platformCpuUsPerCoupon,
        mainThreadCpuUsPerCoupon: r.medianRound.mainThreadCpuUsPerCoupon,
        platformCpuOverFloor: Number(
          (r.medianRound.platformCpuUsPerCoupon / floorMid.platformCpuUsPerCoupon).toFixed(2),
        ),
        mainThreadCpuOverFloor: Number(
          (r.medianRound.mainThreadCpuUsPerCoupon / floorMid.mainThreadCpuUsPerCoupon).toFixed(2),
        ),
      })),
      twoOverOnePerRound: (handlerResults[1]?.rounds ?? []).map((r, i) =>
        Number((r.rps / (handlerResults[0]?.rounds[i]?.rps ?? r.rps)).toFixed(2)),
      ),
    };
    const summary = {
      benchmark:
        'POST /v3/marketing/favor/users/{openid}/coupons over HTTP: request verified and answer signed by the platform, answer verified by the client',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      platformThreadPoolSize: process.env['UV_THREADPOOL_SIZE'] ?? '4 (libuv default)',
      platformPoolThreads: poolLayout(),
      database: 'SQLite (better-sqlite3, WAL)',
      requestsPerRound: requests,
      concurrency,
      cryptoBoundPairsPerSecond: bounds.map(Math.round),
      medianCryptoBound: Math.round(bound),
      results,
      floor: floorSummary,
      storedFloor: storedFloorSummary,
      journal: journalSummary,
      handlers,
      targets: { couponsPerSecond: 2000, fractionOfCryptoBound: 0.6 },
      loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    };
    const out = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}platform.json`, `${JSON.stringify(summary, null, 2)}\n`);
    const main = results[0] as (typeof results)[number];
    writeFileSync(
      `${out}platform.md`,
      [
        '# Platform throughput: sending 代金券 over HTTP',
        '',
        `${summary.benchmark}. The load generator is a child process that signed its requests in advance`,
        `(${requests} per round, ${concurrency} in flight on keep-alive connections that write each request, built in advance,`,
        'with one call, and parse just status, headers and body). Each round first measures the RSA-2048',
        'sign+verify bound of the same machine (all cores): the crypto the platform must do per coupon. SQLite',
        `(better-sqlite3, WAL), send limit raised. Node ${summary.node}, ${summary.cpus} CPUs (${summary.cpuModel}).`,
        '',
        `The platform runs in the bench process with libuv's pool at ${summary.platformThreadPoolSize} thread(s), ${summary.platformPoolThreads.text},`,
        'as `wxcoupon serve` sets them up; the crypto bound is measured in separate processes with the default pool and with one thread per core',
        '(the higher counts). `serve --workers N` rows: the command in processes of its own (for N > 1 a primary and N workers',
        'sharing one port and the SQLite file). CPU columns, per coupon: the platform (all its processes and threads), its',
        "main thread(s) (the event loops; Linux /proc, summed over the processes), the load generator. × floor: the round's",
        "coupons/s over the floor's.",
        '',
        '| round | setup | coupons/s | × floor | p50 ms | p99 ms | platform CPU µs | main thread(s) CPU µs | load generator CPU µs | crypto bound (sign+verify/s) |',
        '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...bounds.flatMap((b, i) =>
          results
            .map(
              (r) =>
                `| ${i + 1} | ${r.setup} (${r.rateLimiter}, journal ${r.journal ? 'on' : 'off'}) | ${r.rounds[i]?.rps} | ${r.rounds[i]?.overFloor} | ${r.rounds[i]?.p50ms} | ${r.rounds[i]?.p99ms} | ${r.rounds[i]?.platformCpuUsPerCoupon} | ${r.rounds[i]?.mainThreadCpuUsPerCoupon} | ${r.rounds[i]?.loadCpuUsPerRequest} | ${Math.round(b)} |`,
            )
            .concat(
              `| ${i + 1} | floor (verify, parse, sign only) | ${floorSummary.rounds[i]?.rps} | 1 | ${floorSummary.rounds[i]?.p50ms} | ${floorSummary.rounds[i]?.p99ms} | ${floorSummary.rounds[i]?.serverCpuUsPerCoupon} | ${floorSummary.rounds[i]?.mainThreadCpuUsPerCoupon} | ${floorSummary.rounds[i]?.loadCpuUsPerRequest} | ${Math.round(b)} |`,
              `| ${i + 1} | floor + storage (budget, unique request number, group commit) | ${storedFloorSummary.rounds[i]?.rps} | ${storedFloorSummary.rounds[i]?.overFloor} | ${storedFloorSummary.rounds[i]?.p50ms} | ${storedFloorSummary.rounds[i]?.p99ms} | ${storedFloorSummary.rounds[i]?.serverCpuUsPerCoupon} | ${storedFloorSummary.rounds[i]?.mainThreadCpuUsPerCoupon} | ${storedFloorSummary.rounds[i]?.loadCpuUsPerRequest} | ${Math.round(b)} |`,
            ),
        ),
        '',
        `**As shipped: ${main.medianRound.rps} coupons/s** (median round; p50 ${main.medianRound.p50ms} ms, p99 ${main.medianRound.p99ms} ms), ` +
          `**${(main.fractionOfCryptoBound * 100).toFixed(1)}% of the crypto bound** (${summary.medianCryptoBound}/s).`,
        ...results
          .slice(1)
          .filter((r) => r.workers === undefined)
          .map(
            (r) =>
              `${r.setup} (${r.rateLimiter}, journal ${r.journal ? 'on' : 'off'}): ${r.medianRound.rps} coupons/s, ${(r.fractionOfCryptoBound * 100).toFixed(1)}% of the bound.`,
          ),
        `CPU per coupon in the median round: platform ${main.medianRound.platformCpuUsPerCoupon} µs + load generator ${main.medianRound.loadCpuUsPerRequest} µs, so ${summary.cpus} cores carry at most ` +
          `${Math.round((summary.cpus * 1e6) / (main.medianRound.platformCpuUsPerCoupon + main.medianRound.loadCpuUsPerRequest))} coupons/s at these costs; the run reached ` +
          `${Math.round((100 * main.medianRound.rps * (main.medianRound.platformCpuUsPerCoupon + main.medianRound.loadCpuUsPerRequest)) / (summary.cpus * 1e6))}% of that. ` +
          `The crypto alone (one sign + verify pair per coupon, from the crypto bound) costs ${Math.round((summary.cpus * 1e6) / summary.medianCryptoBound)} µs of CPU.`,
        '',
        `**Request journal: on/off ${journalSummary.rpsOnOverOff}** (median of the per-round ratios ${journalSummary.rpsOnOverOffPerRound.join(', ')}; target ≥ 0.95):`,
        `platform CPU per coupon ${journalSummary.platformCpuUsPerCouponOn.join(', ')} µs with the journal, ${journalSummary.platformCpuUsPerCouponOff.join(', ')} µs without;`,
        `p50 ${journalSummary.p50msOn.join(', ')} ms with, ${journalSummary.p50msOff.join(', ')} ms without. ${journalSummary.journaledRows} requests journaled (every send, bodies and answers kept).`,
        '',
        `The floor is a bare node:http server in the same process that does only what each send needs to be answered and`,
        `verified at all (bench/support/floor-server.ts: verify the request, parse it, sign a \`{"coupon_id"}\` answer; no`,
        `framework, validation, database, budget or idempotency): ${floorSummary.medianRps} coupons/s, ${floorSummary.medianServerCpuUsPerCoupon} µs of server CPU per coupon.`,
        `**The platform as shipped ran at ${Math.round(floorSummary.platformOverFloor * 100)}% of the floor** (median of the per-round ratios ${floorSummary.platformOverFloorPerRound.join(', ')}; target ≥ 90%):`,
        "the rest is what Hono, validation and the stored, budgeted, idempotent send cost. A Node server that signs and verifies as the protocol requires pays at least the floor's cost.",
        '',
        `**The floor with storage** (the floor, plus per send what durability, a budget and idempotency need at the least: the budget row`,
        'counted down while coupons are left, the coupon inserted under a unique request number, sends that arrive together',
        `committed in one SQLite transaction before any is answered): ${Math.round(storedFloorSummary.overFloor * 100)}% of the floor (per round ${storedFloorSummary.overFloorPerRound.join(', ')}),`,
        `${storedFloorSummary.rounds.map((r) => r.mainThreadCpuUsPerCoupon).join(', ')} µs on the event loop per coupon. So storage itself is not what holds the platform back: the platform`,
        `ran at ${Math.round(storedFloorSummary.platformOverStored * 100)}% of this one (per round ${storedFloorSummary.platformOverStoredPerRound.join(', ')}); the rest is the layers a send passes through`,
        '(Hono and its Node adapter, contract validation, the request journal, the per-user limit and user registration, and the indexes a coupon row keeps for its queries).',
        '',
        `**Handlers** (\`wxcoupon serve --workers N\`, all processes counted): ${handlers.setups
          .map(
            (h) =>
              `${h.workers} → ${h.medianRps} coupons/s, ${Math.round(h.overFloor * 100)}% of the floor (per round ${h.overFloorPerRound.join(', ')}), ` +
              `${h.platformCpuUsPerCoupon} µs of CPU per coupon (${h.platformCpuOverFloor}× the floor's), ${h.mainThreadCpuUsPerCoupon} µs on main threads (${h.mainThreadCpuOverFloor}× the floor's)`,
          )
          .join('; ')}. Two workers over one, round by round: ${handlers.twoOverOnePerRound.join(', ')}.`,
        '',
        `Consistency after the run (warm-up excluded): ${results.map((r) => `${r.setup}: ${r.consistency.answeredCoupons} coupons answered, ${r.consistency.couponRows} rows, stock counter ${r.consistency.distributedCounter}`).join('; ')}. Errors: ${JSON.stringify(results.map((r) => r.rounds.map((x) => x.errors)))}.`,
        `Load average at the end: ${summary.loadAverageAtEnd.join(', ')} (the machine is shared; ratios within one run are what to compare).`,
        '',
      ].join('\n'),
    );
    console.log(
      `platform: ${main.medianRound.rps} coupons/s, ${(main.fractionOfCryptoBound * 100).toFixed(1)}% of the crypto bound (${summary.medianCryptoBound}/s)`,
    );
  } finally {
    await floor?.close();
    await storedFloor?.close();
    for (const s of setups) {
      await s.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

/** A floor server's round as reported: its CPU is the bench process's. */
function serverRound(f: MeasuredRun) {
  return {
    rps: Math.round(f.rps),
    p50ms: round1(f.p50ms),
    p99ms: round1(f.p99ms),
    serverCpuUsPerCoupon: Math.round(f.platformCpuUsPerCoupon),
    mainThreadCpuUsPerCoupon: Math.round(f.mainThreadCpuUsPerCoupon),
    loadCpuUsPerRequest: Math.round(f.loadCpuUsPerRequest),
    errors: f.errors,
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** A load run with the CPU the server's processes, and their main threads, spent per coupon answered during it. */
type MeasuredRun = Omit<LoadResult, 'couponIds'> & { platformCpuUsPerCoupon: number; mainThreadCpuUsPerCoupon: number };

async function measuredLoad(
  credentials: string,
  pids: () => number[],
  n: number,
  concurrency: number,
  tag: string,
): Promise<{ couponIds: string[]; run: MeasuredRun }> {
  const serving = pids();
  const cpu0 = cpuOf(serving);
  const { couponIds, ...load } = await runLoad(credentials, n, concurrency, tag);
  const cpu = cpuSince(cpu0, cpuOf(serving));
  const ok = Math.max(1, load.ok);
  return {
    couponIds,
    run: { ...load, platformCpuUsPerCoupon: cpu.total / ok, mainThreadCpuUsPerCoupon: cpu.main / ok },
  };
}

/** The run with the median rate (the upper middle one for an even count). */
function medianRun<T extends { rps: number }>(runs: readonly T[]): T {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)] as T;
}

async function runLoad(credentials: string, n: number, concurrency: number, tag: string): Promise<LoadResult> {
  const line = await runChild(['--load', credentials, String(n), String(concurrency), tag], process.env);
  return JSON.parse(line) as LoadResult;
}

/** Runs this file as a child with `args` and returns the last line it printed. */
async function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  );
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let line = '';
  for await (const l of rl) line = l;
  const [code] = (await once(child, 'exit').catch(() => [child.exitCode])) as [number | null];
  if (!line) throw new Error(`${args[0]} child exited with ${code ?? child.exitCode} and no result`);
  return line;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * How the pool's threads were set up: run-bench.mjs loads packages/cli/bin/thread-pool.cjs first, as the
 * `wxcoupon` command does. (Loaded here only to read what it did; loaded late, it finds the pool running and
 * changes nothing, which the report then says.)
 */
function poolLayout(): { niceBelowEventLoop: number; threads: number; text: string } {
  const { threadPool } = createRequire(import.meta.url)('../packages/cli/bin/thread-pool.cjs') as {
    threadPool: { nice: number | null; reniced: number[] };
  };
  const below = threadPool.nice === null ? 0 : threadPool.nice - osPriority(0);
  return {
    niceBelowEventLoop: below,
    threads: threadPool.reniced.length,
    text:
      threadPool.reniced.length > 0
        ? `${threadPool.reniced.length} of them ${below} nice levels below the event loop's priority`
        : "at the event loop's priority",
  };
}
