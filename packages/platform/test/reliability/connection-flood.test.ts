import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type DemoCredentials, readCredentials } from '../../src/index.js';
import { clientFor } from '../helpers/signed-fetch.js';
import { createTestDatabase, type TestDatabase, testEngine } from '../helpers/test-database.js';
import { recordFigures } from './helpers/figures.js';
import { pick } from './helpers/scale.js';
import { fetchOnFreshConnection, type ServeProcess, startServe } from './helpers/serve-cli.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// `wxcoupon serve` with few file descriptors (256, soft and hard, from once its modules are loaded) under a flood of
// sockets, more than the limit, that send nothing, send headers a byte at a time, or send a body a byte at a time,
// and that come back as soon as they are closed. Timeouts alone cannot help (they are seconds long); the connection
// cap keeps descriptors free and makes the flood give up its own oldest sockets, so a well-behaved client is still
// answered, within a second, on both listeners.

const OPEN_FILES = 256;
const IDLE = pick(250, 400);
const SLOW_HEADERS = pick(60, 150);
const SLOW_BODIES = pick(40, 100);
const TLS_IDLE = pick(150, 300);
const PROBES = pick(5, 20);

let dataDir: string;
let database: TestDatabase;
let serve: ServeProcess;
let credentials: DemoCredentials;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-flood-'));
  database = await createTestDatabase();
  serve = await startServe({
    dataDir,
    database: database.url,
    // One process: the open-file limit and the connection cap are each process's own, so with N workers the
    // floods would have to be N times larger to fill them (which worker takes a connection is the kernel's call).
    args: ['--rate-limits', 'favor.coupons.send=1000000', '--workers', '1'],
    openFiles: OPEN_FILES,
  });
  credentials = readCredentials(dataDir) as DemoCredentials;
});

after(async () => {
  await serve?.kill();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Sockets that keep coming back: each one closed by the server is replaced after a short pause. */
class Flood {
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  closedByServer = 0;

  constructor(
    private readonly port: number,
    private readonly behave: (s: Socket) => void,
  ) {}

  open(n: number): void {
    for (let i = 0; i < n; i++) this.one();
  }

  private one(): void {
    if (this.stopped) return;
    const s = connect(this.port, '127.0.0.1');
    this.sockets.add(s);
    s.on('connect', () => this.behave(s));
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('close', () => {
      this.sockets.delete(s);
      if (this.stopped) return;
      this.closedByServer++;
      setTimeout(() => this.one(), 1000);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.sockets) s.destroy();
  }
}

/** Writes `text` a byte every `ms` until the socket closes. */
function trickle(s: Socket, text: string, ms: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (s.destroyed) return clearInterval(timer);
    s.write(text[i % text.length] as string);
    i++;
  }, ms);
  s.once('close', () => clearInterval(timer));
}

test(`limited to ${OPEN_FILES} open files, under a returning flood of idle and slow sockets, a client is answered within a second on ${testEngine()}`, async () => {
  const http = new URL(serve.url);
  const tls = new URL(credentials.tlsBaseURL);
  const limits = /limits: (\d+) connections per listener \(open-file limit (\d+)\)/.exec(serve.output());
  assert.ok(limits, serve.output());
  const [, cap, fileLimit] = limits.map(Number) as [number, number, number];
  assert.equal(fileLimit, OPEN_FILES);
  assert.ok(IDLE + SLOW_HEADERS + SLOW_BODIES > OPEN_FILES && TLS_IDLE > cap, 'the floods are bigger than the limit');

  const client = clientFor(credentials, (req) => fetch(req), serve.url);
  const stockId = await runningStock(client, credentials.mchid, 100_000);
  const fresh = clientFor(credentials, fetchOnFreshConnection, serve.url);
  // Once before the flood, so that the probes do not pay for the first send's warm-up.
  const warm = await fresh.post(
    '/v3/marketing/favor/users/o-flood-warm/coupons',
    sendBody(stockId, credentials.mchid, credentials.appid, 'floodwarm'),
  );
  assert.equal(warm.status, 200, warm.text);

  const floods = [
    new Flood(Number(http.port), () => {}),
    new Flood(Number(http.port), (s) =>
      trickle(s, `POST /v3/marketing/favor/users/o/coupons HTTP/1.1\r\nHost: x\r\n${'X-Slow: y\r\n'.repeat(50)}`, 500),
    ),
    new Flood(Number(http.port), (s) => {
      s.write('POST /v3/marketing/favor/users/o/coupons HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
      trickle(s, '{', 500);
    }),
    new Flood(Number(tls.port), () => {}),
  ];
  try {
    floods[0]?.open(IDLE);
    floods[1]?.open(SLOW_HEADERS);
    floods[2]?.open(SLOW_BODIES);
    floods[3]?.open(TLS_IDLE);
    // Let the floods fill both listeners up to their caps (and past them).
    await new Promise((ok) => setTimeout(ok, 1500));

    const latencies: number[] = [];
    const tlsLatencies: number[] = [];
    const ca = readFileSync(credentials.caCertificateFile);
    for (let i = 0; i < PROBES; i++) {
      const t0 = performance.now();
      const res = await fresh.post(
        `/v3/marketing/favor/users/o-flood-${i}/coupons`,
        sendBody(stockId, credentials.mchid, credentials.appid, `flood${i}`),
      );
      latencies.push(performance.now() - t0);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.signed);

      const t1 = performance.now();
      const health = await new Promise<number>((ok, fail) => {
        const r = httpsRequest(`${credentials.tlsBaseURL}/healthz`, { ca, agent: false }, (res) => {
          res.resume();
          res.on('end', () => ok(res.statusCode ?? 0));
        });
        r.on('error', fail);
        r.end();
      });
      tlsLatencies.push(performance.now() - t1);
      assert.equal(health, 200);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const closed = floods.map((f) => f.closedByServer);
    recordFigures('connection flood', {
      open_file_limit: fileLimit,
      connections_per_listener: cap,
      flood_idle: IDLE,
      flood_slow_headers: SLOW_HEADERS,
      flood_slow_bodies: SLOW_BODIES,
      flood_tls_idle: TLS_IDLE,
      flood_sockets_closed_by_server: closed.reduce((a, b) => a + b, 0),
      probes_answered: latencies.length,
      probe_median_ms: Math.round(median(latencies)),
      probe_max_ms: Math.round(Math.max(...latencies)),
      tls_probe_median_ms: Math.round(median(tlsLatencies)),
      tls_probe_max_ms: Math.round(Math.max(...tlsLatencies)),
      not_answered: 0,
    });
    // Every probe is answered; typically within a second, and never held for long even on a loaded machine.
    for (const [what, ms] of [
      ['send', latencies],
      ['HTTPS', tlsLatencies],
    ] as const) {
      assert.ok(median(ms) < 1000, `${what} latencies ${ms.map(Math.round)}`);
      assert.ok(Math.max(...ms) < 5000, `${what} latencies ${ms.map(Math.round)}`);
    }
    assert.ok(closed[0] && closed[3], 'the server closed flood sockets to make room on both listeners');
  } finally {
    for (const f of floods) f.stop();
  }
  assert.equal(serve.child.exitCode, null, 'the server is still running');
  assert.doesNotMatch(serve.output(), /unexpected error|EMFILE/);
});

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
