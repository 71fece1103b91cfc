// Scaling out on PostgreSQL: platform instances (each its own process) on one database, reached through a
// proxy that adds a fixed latency each way (1 ms by default, as between an application host and its
// database on a real network) and counts what a send costs: round trips per send and how long the stock
// row stays locked per send. Each instance count (1, 2, 4) runs the same load twice, interleaved: every
// send on ONE stock, and the same sends spread over 16 stocks, the first of the two alternating round by
// round. Where one stock keeps up with the spread case, sends do not queue on the stock row.
// PostgreSQL: WXCOUPON_TEST_PG_URL if set, otherwise a throwaway server from scripts/pg.sh.
// Usage: npm run bench -- scale
//   env: BENCH_REQUESTS (per round, default 2000), BENCH_CONCURRENCY (64), BENCH_ROUNDS (4),
//        BENCH_LATENCY_MS (1), BENCH_INSTANCES (1,2,4)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseTarget, openDatabase } from '../packages/platform/src/db/database.js';
import { stocksOf } from '../packages/platform/src/features/favor/favor.repository.js';
import { createPlatform, type DemoCredentials } from '../packages/platform/src/index.js';
import { clientFor } from '../packages/platform/test/helpers/signed-fetch.js';
import { issuedByDay } from '../packages/platform/test/helpers/stock-as-read.js';
import { createTestDatabase } from '../packages/platform/test/helpers/test-database.js';
import { type Instance, spawnInstance, UNTHROTTLED } from '../packages/platform/test/reliability/helpers/cluster.js';
import { runningStock } from '../packages/platform/test/reliability/helpers/stocks.js';
import { loadPrivateKey } from '../packages/sdk/src/crypto/index.js';
import { type PgProxy, startPgProxy } from './support/pg-proxy.js';
import { presignSends } from './support/presign.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 1);
const INSTANCE_COUNTS = (process.env.BENCH_INSTANCES ?? '1,2,4').split(',').map(Number);
const SPREAD = 16;
const root = fileURLToPath(new URL('..', import.meta.url));

type Layout = 'one stock' | `${number} stocks`;

interface Round {
  instances: number;
  layout: Layout;
  round: number;
  ok: number;
  errors: Record<string, number>;
  rps: number;
  p50ms: number;
  p99ms: number;
  roundTripsPerSend: number;
  statementsPerSend: number;
  lockMsPerSend: { mean: number; p50: number; p99: number };
  /** The database's time for each one-call send (autocommit), waits for the row included. */
  sendCallMs: { mean: number; p50: number; p99: number };
}

let pg: { url: string; dir: string | undefined } | undefined;
let proxy: PgProxy | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-scale-'));
let dropDatabase: (() => Promise<void>) | undefined;
let instances: Instance[] = [];
try {
  pg = startPostgres();
  const db = await createTestDatabase({ engine: 'postgres' });
  dropDatabase = () => db.drop();
  const database = db.url as string;
  // Migrations, demo provisioning and the stocks happen once, directly (no proxy), before any instance starts.
  const first = await createPlatform({ dataDir, database, log: () => {}, rateLimits: UNTHROTTLED });
  const credentials = first.credentials;
  const client = clientFor(credentials, first.fetch);
  const capacity = 1_000_000;
  // Every stock has a day budget as well (as large as its total, 100 分 a coupon), so a send takes from both
  // budgets: a day row a send had to lock would be as much a hot spot as the stock row.
  const dayBudget = { max_amount_by_day: capacity * 100 };
  const spread: string[] = [];
  for (let i = 0; i < SPREAD; i++) spread.push(await runningStock(client, credentials.mchid, capacity, dayBudget));
  const single = await runningStock(client, credentials.mchid, capacity, dayBudget);
  await first.close();

  const proxied = await startPgProxy({
    target: database,
    latencyMs: LATENCY_MS,
    lockStart: /update\s+"?favor_stocks"?|wxcoupon_favor_send/i,
  });
  proxy = proxied;
  const rounds: Round[] = [];
  let serial = 0;
  let answered = 0;
  for (const count of INSTANCE_COUNTS) {
    instances = await Promise.all(
      Array.from({ length: count }, () => spawnInstance({ dataDir, database: proxied.url, rateLimits: UNTHROTTLED })),
    );
    // One unmeasured warm-up per instance count (JIT, connection pools, statement caches).
    answered += (await runRound(credentials, [single, ...spread], 0, Math.min(REQUESTS, 400), `w${serial++}`)).ok;
    for (let r = 1; r <= ROUNDS; r++) {
      // Which layout runs first alternates round by round, so neither gains from the other's warming.
      const layouts: Layout[] = ['one stock', `${SPREAD} stocks`];
      if (r % 2 === 0) layouts.reverse();
      for (const layout of layouts) {
        const stocks = layout === 'one stock' ? [single] : spread;
        const result = await runRound(credentials, stocks, r, REQUESTS, `r${serial++}`);
        const row = { instances: count, layout, ...result };
        answered += row.ok;
        rounds.push(row);
        console.log(
          `${count} instance(s), ${layout}, round ${r}: ${row.rps.toFixed(0)} coupons/s, ` +
            `${row.roundTripsPerSend} round trips/send, stock row locked ${row.lockMsPerSend.mean} ms/send`,
        );
      }
    }
    await Promise.all(instances.map((i) => i.stop()));
    instances = [];
  }
  const consistency = { answered, ...(await checkConsistency(database, [single, ...spread])) };
  writeResults(rounds, consistency);
} finally {
  await Promise.all(instances.map((i) => i.stop()));
  await proxy?.close();
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
  if (pg?.dir) execFileSync(join(root, 'scripts/pg.sh'), ['stop', pg.dir], { stdio: 'inherit' });
}

function startPostgres(): { url: string; dir: string | undefined } {
  const given = process.env.WXCOUPON_TEST_PG_URL;
  if (given) return { url: given, dir: undefined };
  const out = execFileSync(join(root, 'scripts/pg.sh'), ['start'], { encoding: 'utf8' });
  const url = /WXCOUPON_TEST_PG_URL=(\S+)/.exec(out)?.[1];
  const dir = /pg\.sh stop (\S+)/.exec(out)?.[1];
  if (!url || !dir) throw new Error(`scripts/pg.sh start printed no URL: ${out}`);
  process.env.WXCOUPON_TEST_PG_URL = url;
  return { url, dir };
}

async function runRound(
  c: DemoCredentials,
  stocks: string[],
  round: number,
  total: number,
  tag: string,
): Promise<Omit<Round, 'instances' | 'layout'>> {
  const key = loadPrivateKey(readFileSync(c.privateKeyFile));
  // Signing is done before the clock starts; request i goes to stock i mod n and instance i mod m.
  const prepared = await Promise.all(
    stocks.map(async (stockId, s) =>
      presignSends({ ...c, favorStockId: stockId }, key, Math.ceil(total / stocks.length), (i) => ({
        openid: `o-scale-${tag}-${s}-${i}`,
        outRequestNo: `scale${tag}x${s}x${i}`,
      })),
    ),
  );
  const requests = Array.from({ length: total }, (_, i) => {
    const p = prepared[i % stocks.length]?.[Math.floor(i / stocks.length)];
    if (!p) throw new Error('presign: too few requests');
    return { ...p, url: `${instances[i % instances.length]?.url}${p.path}` };
  });
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  proxy?.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const p = requests[next++];
        if (!p) break;
        const t0 = performance.now();
        try {
          const res = await fetch(p.url, {
            method: 'POST',
            headers: {
              Authorization: p.auth,
              'Content-Type': 'application/json',
              Accept: 'application/json',
              'Wechatpay-Serial': c.platformPublicKeyId,
            },
            body: p.body,
          });
          const text = await res.text();
          if (res.status === 200) ok++;
          else {
            const code = `${res.status} ${(JSON.parse(text || '{}') as { code?: string }).code ?? ''}`;
            errors[code] = (errors[code] ?? 0) + 1;
          }
        } catch (err) {
          const code = (err as Error).message;
          errors[code] = (errors[code] ?? 0) + 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stats = proxy?.stats() ?? { roundTrips: 0, statements: 0, lockHolds: [], statementHolds: [] };
  const holds = [...stats.lockHolds].sort((a, b) => a - b);
  const calls = [...stats.statementHolds].sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const at = (xs: number[], q: number) =>
    Number((xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0).toFixed(2));
  const sends = Math.max(1, ok);
  return {
    round,
    ok,
    errors,
    rps: ok / seconds,
    p50ms: at(latencies, 0.5),
    p99ms: at(latencies, 0.99),
    roundTripsPerSend: Number((stats.roundTrips / sends).toFixed(2)),
    statementsPerSend: Number((stats.statements / sends).toFixed(2)),
    lockMsPerSend: {
      mean: Number((holds.reduce((a, b) => a + b, 0) / Math.max(1, holds.length)).toFixed(2)),
      p50: at(holds, 0.5),
      p99: at(holds, 0.99),
    },
    sendCallMs: {
      mean: Number((calls.reduce((a, b) => a + b, 0) / Math.max(1, calls.length)).toFixed(2)),
      p50: at(calls, 0.5),
      p99: at(calls, 0.99),
    },
  };
}

/**
 * After the run: for every stock, coupons answered = rows = the stock's issued count as the platform reads
 * it (its row's counter less what its budget slices still hold), and the counters never above max_coupons;
 * the coupons issued by day (the day rows less what their day slices hold) count the same.
 */
async function checkConsistency(database: string, stocks: string[]) {
  const db = openDatabase(databaseTarget(database, dataDir));
  try {
    const rows = await db
      .selectFrom('favor_coupons')
      .select((e) => e.fn.countAll<number | string>().as('n'))
      .where('stock_id', 'in', stocks)
      .executeTakeFirstOrThrow();
    const read = await stocksOf(db, stocks);
    const counters = read.reduce((sum, s) => sum + Number(s.distributed_coupons), 0);
    const claimed = await db
      .selectFrom('favor_stocks')
      .select((e) => e.fn.sum<number | string>('distributed_coupons').as('n'))
      .where('stock_id', 'in', stocks)
      .executeTakeFirstOrThrow();
    // What the stocks issued by day, as the platform reads it (day rows less what their day slices hold).
    let byDay = 0;
    for (const stockId of stocks) byDay += (await issuedByDay(db, stockId)).reduce((a, b) => a + b, 0) / 100;
    return { rows: Number(rows.n), counters, claimed: Number(claimed.n), byDay };
  } finally {
    await db.destroy();
  }
}

/** The middle value; the mean of the two middle ones for an even count. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function writeResults(
  rounds: Round[],
  consistency: { answered: number; rows: number; counters: number; claimed: number; byDay: number },
): void {
  const byCount = INSTANCE_COUNTS.map((count) => {
    const of = (layout: Layout) => rounds.filter((r) => r.instances === count && r.layout === layout);
    const one = of('one stock');
    const spread = of(`${SPREAD} stocks`);
    // The two layouts of a round ran one after the other, so each round's ratio is what to compare.
    const ratios = one.map((r, i) => r.rps / (spread[i]?.rps ?? Number.NaN));
    return {
      instances: count,
      one_stock_rps: Number(median(one.map((r) => r.rps)).toFixed(1)),
      spread_rps: Number(median(spread.map((r) => r.rps)).toFixed(1)),
      ratio_per_round: ratios.map((x) => Number(x.toFixed(2))),
      ratio: Number(median(ratios).toFixed(2)),
    };
  });
  const summary = {
    what: 'POST /v3/marketing/favor/users/{openid}/coupons over HTTP, pre-signed; instances as processes on one PostgreSQL behind a latency proxy',
    latency_ms_each_way: LATENCY_MS,
    requests_per_round: REQUESTS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg_end: loadavg() },
    results: rounds.map((r) => ({ ...r, rps: Number(r.rps.toFixed(1)) })),
    one_stock_over_spread: byCount,
    consistency,
  };
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'scale.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const lines = [
    '# Scaling out on PostgreSQL: one stock against sixteen, through a network with latency',
    '',
    `${summary.what}. The proxy adds ${LATENCY_MS} ms each way and counts round trips and the time the stock row`,
    `stays locked (from the budget UPDATE to the end of its transaction: zero round trips when the send is one`,
    'autocommit call). For such a call it also times the call at the database (from the moment the proxy wrote it',
    'to the first byte of the answer): the most the stock row can have been locked by it, plus any wait for the',
    'row, so the one-stock and 16-stock columns side by side show whether sends queue on the row. Budgets are',
    'claimed in slices of up to 16 coupons per database connection (migration 0016), so a send of one stock locks',
    'its row only when its connection claims the next slice. Every stock also has a day budget (max_amount_by_day),',
    'claimed the same way (migration 0017), so a send takes from both and locks its day row as seldom.',
    `${REQUESTS} sends per round, ${CONCURRENCY} in`,
    `flight, layouts interleaved (the first of each round alternates). Load generator, instances and PostgreSQL share ${summary.machine.cpus} CPUs`,
    `(${summary.machine.model}), Node ${process.version}.`,
    '',
    '| instances | layout | round | coupons/s | p50 ms | p99 ms | round trips/send | statements/send | row locked ms/send (mean, p99) | send call at the database ms (mean, p99) | errors |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
    ...rounds.map(
      (r) =>
        `| ${r.instances} | ${r.layout} | ${r.round} | ${r.rps.toFixed(0)} | ${r.p50ms} | ${r.p99ms} | ${r.roundTripsPerSend} | ${r.statementsPerSend} | ${r.lockMsPerSend.mean}, ${r.lockMsPerSend.p99} | ${r.sendCallMs.mean}, ${r.sendCallMs.p99} | ${JSON.stringify(r.errors)} |`,
    ),
    '',
    '| instances | one stock coupons/s (median) | 16 stocks coupons/s (median) | one / spread, per round | one / spread (median) |',
    '| ---: | ---: | ---: | --- | ---: |',
    ...byCount.map(
      (b) =>
        `| ${b.instances} | ${b.one_stock_rps} | ${b.spread_rps} | ${b.ratio_per_round.join(', ')} | **${b.ratio}** |`,
    ),
    '',
    `Consistency after the run (warm-ups included): ${consistency.answered} sends answered 200, ${consistency.rows} coupon rows, stocks' issued counts (counters less what their slices hold) sum to ${consistency.counters}; claimed into slices or issued: ${consistency.claimed}; issued by day (day rows less their day slices): ${consistency.byDay}.`,
    `Load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}.`,
    '',
  ];
  writeFileSync(join(out, 'scale.md'), lines.join('\n'));
}
