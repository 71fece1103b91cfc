import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoCredentials, readCredentials } from '@wxcoupon/platform';
import { clientFor, type SignedClient } from '../../platform/test/helpers/signed-fetch.js';
import {
  createTestDatabase,
  postgresServerUrl,
  type TestDatabase,
  type TestEngine,
} from '../../platform/test/helpers/test-database.js';
import {
  fetchOnFreshConnection,
  type ServeProcess,
  startServe,
} from '../../platform/test/reliability/helpers/serve-cli.js';
import { runningStock, sendBody } from '../../platform/test/reliability/helpers/stocks.js';

// `wxcoupon serve --workers 2` as real processes: a primary and two workers on one port and one database.
// Every request travels on a connection of its own, so the primary hands them to both workers in turn, and
// everything that must be exact is checked where it is kept: in the database, through the API.

const engines: TestEngine[] = ['sqlite', ...(postgresServerUrl() ? (['postgres'] as const) : [])];
/** A request that is never answered fails its test rather than hanging the file. */
const TEST_TIMEOUT_MS = 180_000;
/** favor.stocks.get per second and merchant, for the rate-limit test. */
const GET_LIMIT = 20;

/** The node processes whose parent is `pid` (the workers of a primary; not tsx's esbuild). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The fields after the command name, which is in parentheses and may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      // Node processes by their executable: the thread name differs between releases (24 names it MainThread).
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0] === process.execPath) {
        out.push(Number(name));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function admin(serve: ServeProcess, dataDir: string, path: string, init: RequestInit = {}): Promise<Response> {
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return fetchOnFreshConnection(
    new Request(`${serve.url}/admin${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    }),
  );
}

for (const engine of engines) {
  describe(`serve --workers 2 on ${engine}`, () => {
    let dataDir: string;
    let database: TestDatabase;
    let serve: ServeProcess;
    let credentials: DemoCredentials;
    let client: SignedClient;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-workers-'));
      database = await createTestDatabase({ engine, keepIn: join(dataDir, 'data') });
      dataDir = join(dataDir, 'data');
      serve = await startServe({
        dataDir,
        database: database.url,
        args: [
          '--workers',
          '2',
          '--log-format',
          'off',
          '--rate-limits',
          `favor.coupons.send=1000000,favor.stocks.create=1000,favor.stocks.start=1000,favor.stocks.get=${GET_LIMIT}`,
        ],
        env: { WXCOUPON_DRAIN_TIMEOUT: '30s' },
      });
      credentials = readCredentials(dataDir) as DemoCredentials;
      client = clientFor(credentials, fetchOnFreshConnection, serve.url);
    });

    after(async () => {
      await serve?.kill();
      await database?.drop();
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    });

    test('a primary and 2 workers serve one port; the first screen is printed once and says so', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const out = serve.output();
      assert.equal(out.match(/listening on/g)?.length, 1);
      assert.match(out, /workers: 2 processes serve the same ports and database/);
      const workers = childrenOf(serve.child.pid as number);
      assert.equal(workers.length, 2);
      const sends = await Promise.all(
        Array.from({ length: 40 }, () => fetchOnFreshConnection(new Request(`${serve.url}/healthz`))),
      );
      assert.ok(sends.every((r) => r.status === 200));
      // Journal ids end with the answering process's instance tag: requests were answered by both workers.
      // Which worker accepts a connection is the kernel's choice (a busy one may leave a burst to the other),
      // and the journal is written just after the answers: send in rounds until both tags are there.
      const stockId = await runningStock(client, credentials.mchid, 1000);
      const instances = new Set<string>();
      for (let round = 0; round < 15 && instances.size < 2; round++) {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            client.post(
              `/v3/marketing/favor/users/o-spread-${round}-${i}/coupons`,
              sendBody(stockId, credentials.mchid, credentials.appid, `spread-${round}-${i}`),
            ),
          ),
        );
        await new Promise((ok) => setTimeout(ok, 200));
        const journal = (await (await admin(serve, dataDir, '/requests?limit=100')).json()) as {
          data: Array<{ id: string }>;
        };
        for (const r of journal.data) instances.add(r.id.slice(-12));
      }
      assert.equal(instances.size, 2, `journal rows from ${[...instances].join(', ')}`);
    });

    test('concurrent sends of a small budget from many connections never over-issue; twins and replays get one coupon', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const { mchid, appid } = credentials;
      const budget = 15;
      const stockId = await runningStock(client, mchid, budget);
      const nos = Array.from({ length: 45 }, (_, i) => `budget-${i}`);
      // Each request number twice at once: the twins land on either worker.
      const answers = await Promise.all(
        nos.flatMap((no, i) =>
          [0, 1].map(() =>
            client.post(`/v3/marketing/favor/users/o-budget-${i}/coupons`, sendBody(stockId, mchid, appid, no)),
          ),
        ),
      );
      const byNo = new Map<string, string[]>();
      for (const [k, a] of answers.entries()) {
        const no = nos[Math.floor(k / 2)] as string;
        const list = byNo.get(no) ?? [];
        list.push(a.status === 200 ? `ok ${a.data.coupon_id}` : `${a.status} ${a.data?.code}`);
        byNo.set(no, list);
      }
      const issued = [...byNo.values()].filter((l) => l.some((x) => x.startsWith('ok')));
      assert.equal(issued.length, budget, JSON.stringify([...byNo]));
      for (const [a, b] of issued) assert.equal(a, b, 'twins of one out_request_no answered one coupon');
      for (const l of byNo.values())
        for (const x of l) assert.match(x, /^(ok \d+|4\d\d (NOT_ENOUGH|STOCK_\w+|RULE_LIMIT|REQUEST_BLOCKED))/);
      // Replays afterwards: the same answer body, whichever worker answers.
      for (const [no, l] of byNo) {
        if (!l[0]?.startsWith('ok')) continue;
        const i = nos.indexOf(no);
        const again = await client.post(
          `/v3/marketing/favor/users/o-budget-${i}/coupons`,
          sendBody(stockId, mchid, appid, no),
        );
        assert.equal(`ok ${again.data.coupon_id}`, l[0]);
      }
      const stock = await client.get(`/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${mchid}`);
      assert.equal(stock.data.distributed_coupons, budget);
    });

    test('a per-user limit holds across workers', { timeout: TEST_TIMEOUT_MS }, async () => {
      const { mchid, appid } = credentials;
      const stockId = await runningStock(client, mchid, 1000, { max_coupons_per_user: 2 });
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          client.post(`/v3/marketing/favor/users/o-one-user/coupons`, sendBody(stockId, mchid, appid, `peruser-${i}`)),
        ),
      );
      assert.equal(answers.filter((a) => a.status === 200).length, 2, answers.map((a) => a.text).join('\n'));
    });

    test(`a rate limit of ${GET_LIMIT}/s holds across workers`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const { mchid } = credentials;
      const stockId = await runningStock(client, mchid, 10);
      // Limits count per one-second window: a burst that stays inside one must get exactly the limit (a limiter
      // per process would let each worker answer that many). A burst that spans two windows is tried again.
      for (let attempt = 1; ; attempt++) {
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
        const t0 = Date.now();
        const answers = await Promise.all(
          Array.from({ length: 3 * GET_LIMIT }, () =>
            client.get(`/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${mchid}`),
          ),
        );
        const oneWindow = Math.floor(Date.now() / 1000) === Math.floor(t0 / 1000);
        const ok = answers.filter((a) => a.status === 200).length;
        const limited = answers.filter((a) => a.status === 429 && a.data.code === 'FREQUENCY_LIMIT_EXCEED').length;
        assert.equal(ok + limited, answers.length);
        assert.ok(ok <= 2 * GET_LIMIT, `${ok} answered`);
        if (!oneWindow && attempt < 5) continue;
        assert.ok(oneWindow, 'no burst stayed inside one second');
        assert.equal(ok, GET_LIMIT);
        return;
      }
    });

    test('the test clock moved through one worker is the clock of every worker', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const { mchid, appid } = credentials;
      const stockId = await runningStock(client, mchid, 1000);
      const moved = await admin(serve, dataDir, '/clock/advance', {
        method: 'POST',
        body: JSON.stringify({ by: '2d' }),
      });
      assert.equal(moved.status, 200, await moved.text());
      try {
        // Each worker re-reads the clock every second.
        await new Promise((r) => setTimeout(r, 1500));
        const ahead = Date.now() + 2 * 86_400_000 - 60_000;
        const sends = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            client.post(
              `/v3/marketing/favor/users/o-clock-${i}/coupons`,
              sendBody(stockId, mchid, appid, `clock-${i}`),
            ),
          ),
        );
        for (const [i, s] of sends.entries()) {
          assert.equal(s.status, 200, s.text);
          const coupon = await client.get(
            `/v3/marketing/favor/users/o-clock-${i}/coupons/${s.data.coupon_id}?appid=${appid}`,
          );
          assert.ok(Date.parse(coupon.data.create_time) >= ahead, coupon.text);
        }
      } finally {
        const back = await admin(serve, dataDir, '/clock/set', {
          method: 'POST',
          body: JSON.stringify({ time: new Date().toISOString() }),
        });
        assert.equal(back.status, 200, await back.text());
      }
    });

    test('a worker killed with SIGKILL is replaced, and serving goes on', { timeout: TEST_TIMEOUT_MS }, async () => {
      const before = childrenOf(serve.child.pid as number);
      const victim = before[0] as number;
      process.kill(victim, 'SIGKILL');
      // Meanwhile the other worker answers.
      const during = await fetchOnFreshConnection(new Request(`${serve.url}/healthz`));
      assert.equal(during.status, 200);
      await until('a new worker', () => /worker \d serving again/.test(serve.output()));
      const now = childrenOf(serve.child.pid as number);
      assert.equal(now.length, 2);
      assert.ok(!now.includes(victim));
      assert.match(serve.output(), /worker \d exited unexpectedly \(SIGKILL\); starting another in/);
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => fetchOnFreshConnection(new Request(`${serve.url}/healthz`))),
      );
      assert.ok(answers.every((r) => r.status === 200));
    });

    test('SIGTERM under load: every send answered or refused unread; answered = coupons; exit 0', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const { mchid, appid } = credentials;
      const stockId = await runningStock(client, mchid, 1_000_000);
      const keepAlive = clientFor(credentials, (req) => fetch(req), serve.url);
      const answered = new Set<string>();
      let stop = false;
      let sent = 0;
      const clients = Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const no = `term-${w}-${i}`;
          sent++;
          try {
            const r = await keepAlive.post(`/v3/marketing/favor/users/o-t-${w}-${i}/coupons`, {
              ...sendBody(stockId, mchid, appid, no),
            });
            if (r.status === 200) answered.add(r.data.coupon_id);
            else assert.fail(`${r.status} ${r.text}`);
          } catch (err) {
            // Refused, or closed before its request was read: the only failures allowed.
            if (!(err instanceof TypeError)) throw err;
            stop = true;
          }
        }
      });
      await until('sends in flow', () => answered.size >= 100);
      serve.child.kill('SIGTERM');
      await Promise.all(clients);
      const { code } = await serve.exited;
      assert.equal(code, 0, serve.output());
      assert.match(serve.output(), /wxcoupon: stopped \(\d+ of \d+ requests in flight answered\)/);
      // The workers are gone with the primary.
      assert.deepEqual(childrenOf(serve.child.pid as number), []);
      // Restarted on the same data directory with one process: every answered coupon is there, no other.
      serve = await startServe({ dataDir, database: database.url, args: ['--workers', '1', '--log-format', 'off'] });
      const stock = await clientFor(readCredentials(dataDir) as DemoCredentials, fetchOnFreshConnection, serve.url).get(
        `/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${mchid}`,
      );
      assert.equal(stock.data.distributed_coupons, answered.size, `${sent} sent`);
      // --workers 1 is the single process of before: no workers, no workers line.
      assert.deepEqual(childrenOf(serve.child.pid as number), []);
      assert.doesNotMatch(serve.output(), /workers:/);
      serve.child.kill('SIGTERM');
      assert.equal((await serve.exited).code, 0);
    });

    test('kill -9 of the primary: the workers exit, and a new serve starts on the same port and data directory', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      serve = await startServe({ dataDir, database: database.url, args: ['--workers', '2', '--log-format', 'off'] });
      const port = new URL(serve.url).port;
      const workers = childrenOf(serve.child.pid as number);
      assert.equal(workers.length, 2);
      serve.child.kill('SIGKILL');
      await serve.exited;
      await until('the workers to exit', () => workers.every((w) => !alive(w)), 10_000);
      serve = await startServe({
        dataDir,
        database: database.url,
        args: ['--workers', '2', '--log-format', 'off', '--port', port],
      });
      assert.equal(new URL(serve.url).port, port);
      const health = await fetchOnFreshConnection(new Request(`${serve.url}/healthz`));
      assert.equal(health.status, 200);
      serve.child.kill('SIGTERM');
      assert.equal((await serve.exited).code, 0);
    });
  });
}
