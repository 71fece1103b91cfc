import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase, testEngine } from '../helpers/test-database.js';
import { type ServeProcess, startServe } from './helpers/serve-cli.js';

// The timeouts of `wxcoupon serve` count from a request's first byte, so a client that keeps sending a
// byte now and then cannot hold a connection past them. Short values here (flags and the environment:
// a flag wins), generous upper bounds for a loaded machine.

const HEADERS_S = 1;
const BODY_S = 2;
const KEEP_ALIVE_S = 1;
/** How late a close may come on a loaded machine. */
const SLACK_MS = 3000;

let dataDir: string;
let database: TestDatabase;
let serve: ServeProcess;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-timeouts-'));
  database = await createTestDatabase();
  serve = await startServe({
    dataDir,
    database: database.url,
    args: ['--headers-timeout', `${HEADERS_S}s`, '--keep-alive-timeout', `${KEEP_ALIVE_S * 1000}ms`],
    // The flag above wins over this one; the body timeout comes from the environment.
    env: { WXCOUPON_HEADERS_TIMEOUT: '60s', WXCOUPON_BODY_TIMEOUT: String(BODY_S) },
  });
});

after(async () => {
  await serve?.kill();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Connects, runs `behave`, and resolves once the server closes: after how long, and what it sent. */
function heldFor(behave: (s: Socket) => void): Promise<{ ms: number; received: string }> {
  const port = Number(new URL(serve.url).port);
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1');
    let received = '';
    let t0 = 0;
    s.on('connect', () => {
      t0 = performance.now();
      behave(s);
    });
    s.on('data', (d) => (received += d));
    s.on('error', () => {});
    s.on('close', () => ok({ ms: performance.now() - t0, received }));
    setTimeout(() => {
      s.destroy();
      fail(new Error('the server kept the connection open for 30 s'));
    }, 30_000).unref();
  });
}

function trickle(s: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (s.destroyed) return clearInterval(timer);
    s.write(text[i++ % text.length] as string);
  }, everyMs);
  s.once('close', () => clearInterval(timer));
}

function within(ms: number, seconds: number, what: string): void {
  assert.ok(ms >= seconds * 1000 * 0.8, `${what}: closed after ${Math.round(ms)} ms, before its timeout`);
  assert.ok(ms <= seconds * 1000 + SLACK_MS, `${what}: held ${Math.round(ms)} ms, timeout ${seconds} s`);
}

test(`a connection that sends nothing is closed at the headers timeout on ${testEngine()}`, async () => {
  const { ms } = await heldFor(() => {});
  within(ms, HEADERS_S, 'idle connection');
});

test('headers sent a byte at a time are cut at the headers timeout and answered 408', async () => {
  const { ms, received } = await heldFor((s) =>
    trickle(s, `GET /healthz HTTP/1.1\r\nHost: x\r\n${'X-Slow: y\r\n'.repeat(100)}`, 50),
  );
  within(ms, HEADERS_S, 'slow headers');
  assert.match(received, /^HTTP\/1\.1 408 /);
});

test('a body sent a byte at a time is cut at the body timeout, counted from the first byte', async () => {
  const { ms, received } = await heldFor((s) => {
    s.write('POST /v3/marketing/favor/users/o/coupons HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    trickle(s, '{', 50);
  });
  within(ms, BODY_S, 'slow body');
  assert.match(received, /^HTTP\/1\.1 408 /);
});

test('an idle keep-alive connection is closed at the keep-alive timeout, after its answer', async () => {
  const { ms, received } = await heldFor((s) => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.match(received, /^HTTP\/1\.1 200 [\s\S]*Keep-Alive: timeout=1/i);
  within(ms, KEEP_ALIVE_S, 'idle keep-alive connection');
});
