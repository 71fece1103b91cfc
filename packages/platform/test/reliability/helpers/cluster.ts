import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Db, databaseTarget, openDatabase } from '../../../src/db/database.js';
import { createPlatform, type DemoCredentials } from '../../../src/index.js';
import type { RateLimitSetting } from '../../../src/rate-limit/limits.js';
import { clientFor, type SignedClient } from '../../helpers/signed-fetch.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

// Several platform instances on ONE database, each its own process (so one can be SIGKILLed), as a
// deployment behind a load balancer runs them. All share a data directory (admin token, demo keys).

const MAIN = fileURLToPath(new URL('./instance-main.ts', import.meta.url));
// Loaded first, as the `wxcoupon` command loads it: instances lay out their threads as `wxcoupon serve` does.
const THREAD_POOL = fileURLToPath(new URL('../../../../cli/bin/thread-pool.cjs', import.meta.url));

/** Limits high enough that only the test's own rules decide; tests of limits pass their own. */
export const UNTHROTTLED: Record<string, RateLimitSetting> = Object.fromEntries(
  [
    'favor.coupons.send',
    'favor.coupons.get',
    'favor.stocks.create',
    'favor.stocks.start',
    'favor.stocks.get',
    'busifavor.stocks.create',
    'busifavor.coupons.send',
  ].map((api) => [api, 1_000_000]),
);

export interface Instance {
  url: string;
  child: ChildProcess;
  /** Everything the instance wrote to stderr (logged 500s show up here). */
  stderr: () => string;
  /** SIGKILL, no cleanup: the crash case. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
}

export interface Cluster {
  dataDir: string;
  database: TestDatabase;
  instances: Instance[];
  credentials: DemoCredentials;
  adminToken: string;
  /** Starts one more instance on the same database (also used to restart a killed one). */
  spawn(): Promise<Instance>;
  /** A signed client for the demo merchant, talking to `instance` over HTTP. */
  client(instance: Instance): SignedClient;
  /** The database itself, to count rows behind the API's back. */
  db(): Db;
  close(): Promise<void>;
}

export async function startCluster(
  size: number,
  rateLimits: Record<string, RateLimitSetting> = UNTHROTTLED,
): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-cluster-'));
  const database = await createTestDatabase();
  // Migrations and demo provisioning happen once, here, before any instance starts.
  const first = await createPlatform({ dataDir, ...(database.url ? { database: database.url } : {}), log: () => {} });
  const credentials = first.credentials;
  const adminToken = first.adminToken;
  await first.close();
  const instances: Instance[] = [];
  let direct: Db | undefined;
  const cluster: Cluster = {
    dataDir,
    database,
    instances,
    credentials,
    adminToken,
    async spawn() {
      const instance = await spawnInstance({
        dataDir,
        ...(database.url ? { database: database.url } : {}),
        rateLimits,
      });
      instances.push(instance);
      return instance;
    },
    client: (instance) => clientFor(credentials, (req) => fetch(req), instance.url),
    db() {
      direct ??= openDatabase(databaseTarget(database.url, dataDir));
      return direct;
    },
    async close() {
      await Promise.all(instances.map((i) => i.stop()));
      await direct?.destroy();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(Array.from({ length: size }, () => cluster.spawn()));
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return cluster;
}

export async function spawnInstance(config: {
  dataDir: string;
  database?: string;
  rateLimits?: Record<string, RateLimitSetting>;
}): Promise<Instance> {
  const args = ['--require', THREAD_POOL, '--conditions=source', '--import', 'tsx', MAIN, JSON.stringify(config)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`instance did not start in 60 s: ${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`instance exited with ${code} before listening: ${stderr}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      ok((JSON.parse(line) as { url: string }).url);
    });
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    // A clean shutdown that hangs must not hang the test run: it ends as a crash would.
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  return { url, child, stderr: () => stderr, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
