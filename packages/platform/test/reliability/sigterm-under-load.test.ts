import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { databaseTarget, openDatabase } from '../../src/db/database.js';
import { type DemoCredentials, readCredentials } from '../../src/index.js';
import { clientFor } from '../helpers/signed-fetch.js';
import { createTestDatabase, type TestDatabase, testEngine } from '../helpers/test-database.js';
import { recordFigures } from './helpers/figures.js';
import { withRetry } from './helpers/pool.js';
import { pick } from './helpers/scale.js';
import { type ServeProcess, startServe } from './helpers/serve-cli.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// `wxcoupon serve` receives SIGTERM while 64 clients keep sending. Every request must either be answered
// or be refused before it reached a handler (connection refused, or closed before its request was read):
// then no coupon exists that its merchant was not told about, so answered OK = coupon rows, and the
// process exits 0.

const CLIENTS = 64;
/** Sends answered before the signal, so that the clients are in full flow when it comes. */
const WARM_UP = pick(300, 3000);

let dataDir: string;
let database: TestDatabase;
let serve: ServeProcess;
let credentials: DemoCredentials;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-sigterm-'));
  database = await createTestDatabase();
  serve = await startServe({
    dataDir,
    database: database.url,
    args: ['--rate-limits', 'favor.coupons.send=1000000,favor.stocks.create=1000,favor.stocks.start=1000'],
    // The drain timeout from the environment; generous, for a loaded machine.
    env: { WXCOUPON_DRAIN_TIMEOUT: '30s' },
  });
  credentials = readCredentials(dataDir) as DemoCredentials;
});

after(async () => {
  await serve?.kill();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test(`SIGTERM with ${CLIENTS} sends in flight: every send answered or refused unread, answered = rows, exit 0 on ${testEngine()}`, async () => {
  const client = clientFor(credentials, (req) => fetch(req), serve.url);
  const { mchid, appid } = credentials;
  const stockId = await runningStock(client, mchid, 1_000_000);

  const answered = new Map<string, string>(); // out_request_no → coupon_id
  const refused: string[] = [];
  const wrong: string[] = [];
  let started = 0;
  let signalled = false;
  let inFlightAtSignal = 0;
  let answeredAfterSignal = 0;
  let connectionRetries = 0;
  let signalSent!: () => void;
  const signalGate = new Promise<void>((ok) => {
    signalSent = ok;
  });

  const worker = async (w: number) => {
    for (let i = 0; ; i++) {
      const no = `term${w}x${i}`;
      started++;
      try {
        const send = () =>
          client.post(`/v3/marketing/favor/users/o-term-${w}-${i}/coupons`, sendBody(stockId, mchid, appid, no));
        // Before the signal, a keep-alive connection closed just as it was reused is retried as WeChat Pay
        // asks clients to (same request number); from the signal on, a request without an answer stays so.
        const res = signalled
          ? await send()
          : await withRetry(send, () => {
              if (signalled) throw new Error('no retries after the signal');
              connectionRetries++;
            });
        if (res.status === 200) {
          answered.set(no, res.data.coupon_id as string);
          if (signalled) answeredAfterSignal++;
        } else wrong.push(`${no}: ${res.status} ${res.text.slice(0, 120)}`);
      } catch (err) {
        // No HTTP answer: refused, or closed before the request was read (the rows below tell which).
        if (!signalled) throw err;
        refused.push(no);
        return;
      }
      if (answered.size === WARM_UP && !signalled) {
        signalled = true;
        inFlightAtSignal = started - answered.size - wrong.length;
        serve.child.kill('SIGTERM');
        signalSent();
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  await signalGate;
  const { code, signal } = await serve.exited;

  const db = openDatabase(databaseTarget(database.url, dataDir));
  let rows: Array<{ out_request_no: string; coupon_id: string }>;
  try {
    rows = await db
      .selectFrom('favor_coupons')
      .select(['out_request_no', 'coupon_id'])
      .where('stock_id', '=', stockId)
      .execute();
  } finally {
    await db.destroy();
  }
  const unanswered = rows.filter((r) => answered.get(r.out_request_no) !== r.coupon_id);
  const lost = [...answered.keys()].filter((no) => !rows.some((r) => r.out_request_no === no));
  recordFigures('SIGTERM under load', {
    clients: CLIENTS,
    answered_before_sigterm: WARM_UP,
    in_flight: inFlightAtSignal,
    answered_after_sigterm: answeredAfterSignal,
    connection_retries_before_sigterm: connectionRetries,
    answered: answered.size,
    refused_before_a_handler: refused.length,
    coupons_in_database: rows.length,
    cut: unanswered.length,
    lost: lost.length,
    exit_code: code ?? String(signal),
  });
  assert.deepEqual(wrong, [], 'every answer is a coupon');
  assert.ok(inFlightAtSignal > 0, 'requests were in flight when the signal came');
  assert.deepEqual(
    unanswered.map((r) => r.out_request_no),
    [],
    'no coupon was issued whose send went unanswered',
  );
  assert.deepEqual(lost, [], 'every answered coupon is in the database');
  assert.equal(rows.length, answered.size);
  assert.equal(refused.length, CLIENTS, 'each client ends on a refused request, after the listener closed');
  assert.equal(code, 0, serve.output());
  assert.match(serve.output(), /stopped \(/);
  assert.doesNotMatch(serve.output(), /unexpected error/);
});

test('a second SIGTERM while a notification delivery holds up the drain exits at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-sigterm-twice-'));
  const db = await createTestDatabase();
  // A merchant server that takes its time: the drain waits for the delivery (up to the drain timeout).
  let arrived!: () => void;
  const delivered = new Promise<void>((ok) => {
    arrived = ok;
  });
  const receiver = createServer((req) => {
    req.resume();
    arrived();
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', () => ok()));
  const child = await startServe({ dataDir: dir, database: db.url, args: ['--drain-timeout', '60s'] });
  try {
    const creds = readCredentials(dir) as DemoCredentials;
    const client = clientFor(creds, (req) => fetch(req), child.url);
    const notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
    const cb = await client.post('/v3/marketing/favor/callbacks', { mchid: creds.mchid, notify_url: notifyUrl });
    assert.equal(cb.status, 200, cb.text);
    const sent = await client.post(
      '/v3/marketing/favor/users/o-twice/coupons',
      sendBody(creds.favorStockId, creds.mchid, creds.appid, 'twice1'),
    );
    assert.equal(sent.status, 200, sent.text);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const used = await fetch(`${child.url}/admin/favor/coupons/${sent.data.coupon_id}/use`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(used.status, 200, await used.text());
    await delivered;

    child.child.kill('SIGTERM');
    await new Promise((ok) => setTimeout(ok, 1000));
    assert.equal(child.child.exitCode, null, 'the first signal waits for the delivery');
    const second = performance.now();
    child.child.kill('SIGTERM');
    const { code } = await child.exited;
    assert.equal(code, 143);
    assert.ok(performance.now() - second < 5000, 'the second signal did not wait');
    assert.match(child.output(), /SIGTERM again/);
  } finally {
    await child.kill();
    receiver.closeAllConnections();
    receiver.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
