import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPlatform, type Platform, PlatformStartError } from '../../src/index.js';
import { clientFor } from '../helpers/signed-fetch.js';
import { createTestDatabase, type TestDatabase, testEngine } from '../helpers/test-database.js';
import { sendBody } from './helpers/stocks.js';

// The data directory holds every merchant's keys: it is 0700 and everything in it 0600 (the
// database's -wal and -shm too), whatever the umask; a directory open to other users is refused
// unless the owner says otherwise; files an earlier version left 0644 are narrowed at start.

const engine = testEngine();
const sqliteFiles = ['platform.sqlite', 'platform.sqlite-wal', 'platform.sqlite-shm'];

/** Every entry under `dir` (itself included) with its permission bits, as `relative path → mode`. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': mode(dir) };
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      out[rel] = mode(join(dir, rel));
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
    }
  };
  walk('');
  return out;
}

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
}

function assertPrivate(dir: string): Record<string, string> {
  const found = modes(dir);
  for (const [rel, m] of Object.entries(found)) {
    const isDir = statSync(join(dir, rel)).isDirectory();
    assert.equal(m, isDir ? '0700' : '0600', `${rel} is ${m}`);
  }
  return found;
}

const databases: TestDatabase[] = [];
const dirs: string[] = [];
after(async () => {
  for (const d of databases) await d.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempParent(): string {
  const parent = mkdtempSync(join(tmpdir(), 'wxcoupon-perms-'));
  dirs.push(parent);
  return parent;
}

/** A platform on `dataDir` and the engine under test; the database is kept across restarts of a test. */
async function start(dataDir: string, database: TestDatabase, extra: { insecurePermissions?: boolean } = {}) {
  return createPlatform({
    dataDir,
    ...(database.url ? { database: database.url } : {}),
    log: () => {},
    ...extra,
  });
}

async function sendOne(platform: Platform, n: string): Promise<string> {
  const c = platform.credentials;
  const client = clientFor(c, platform.fetch, 'http://platform.test');
  const res = await client.post(
    `/v3/marketing/favor/users/o-perm-${n}/coupons`,
    sendBody(c.favorStockId, c.mchid, c.appid, `perm-${n}`),
  );
  assert.equal(res.status, 200, res.text);
  return res.data.coupon_id as string;
}

async function newDatabase(): Promise<TestDatabase> {
  const d = await createTestDatabase();
  databases.push(d);
  return d;
}

describe(`data directory permissions on ${engine}`, () => {
  let umask: number;
  before(() => {
    umask = process.umask();
  });
  after(() => {
    process.umask(umask);
  });

  for (const mask of [0o022, 0o000]) {
    test(`a first start under umask ${mask.toString(8).padStart(3, '0')} makes the directory 0700 and every file 0600, -wal and -shm included`, async () => {
      process.umask(mask);
      try {
        const dataDir = join(tempParent(), 'nested', 'data');
        const platform = await start(dataDir, await newDatabase());
        try {
          await platform.listen({ port: 0, tlsPort: false });
          await sendOne(platform, `first-${mask}`);
          // While the platform runs: the WAL and its index exist and hold the latest writes.
          const found = assertPrivate(dataDir);
          for (const f of ['admin-token', 'demo/credentials.json', 'demo/apiclient_key.pem', 'demo/pub_key.pem'])
            assert.ok(f in found, `${f} exists`);
          if (engine === 'sqlite') for (const f of sqliteFiles) assert.ok(f in found, `${f} exists`);
          assert.equal(mode(join(dataDir, '..')), '0700', 'a parent the platform created is owner-only too');
        } finally {
          await platform.close();
        }
        assertPrivate(dataDir);
      } finally {
        process.umask(umask);
      }
    });
  }

  test('a data directory that other users can open is refused, naming the chmod to run, and left untouched', async () => {
    for (const open of [0o755, 0o750, 0o703]) {
      const dataDir = tempParent();
      chmodSync(dataDir, open);
      await assert.rejects(start(dataDir, await newDatabase()), (err: Error) => {
        assert.ok(err instanceof PlatformStartError, String(err));
        assert.match(
          err.message,
          new RegExp(`data directory ${dataDir} is open to other users \\(mode 0${open.toString(8)}\\)`),
        );
        assert.ok(err.message.includes(`chmod 700 ${dataDir}`), err.message);
        assert.match(err.message, /--insecure-permissions/);
        return true;
      });
      assert.deepEqual(readdirSync(dataDir), [], 'nothing was written into it');
      assert.equal(mode(dataDir), `0${open.toString(8)}`, 'its mode is left to its owner');
    }
  });

  test('insecurePermissions starts on an open directory and still creates every file 0600', async () => {
    const dataDir = tempParent();
    chmodSync(dataDir, 0o755);
    const platform = await start(dataDir, await newDatabase(), { insecurePermissions: true });
    try {
      await sendOne(platform, 'insecure');
      const found = modes(dataDir);
      assert.equal(found['.'], '0755');
      for (const [rel, m] of Object.entries(found)) {
        if (rel === '.') continue;
        assert.equal(m, statSync(join(dataDir, rel)).isDirectory() ? '0700' : '0600', `${rel} is ${m}`);
      }
    } finally {
      await platform.close();
    }
  });

  test('a data directory an earlier version left open (0755, files 0644, a -wal after a crash) is refused, then narrowed with its data kept', async () => {
    const dataDir = tempParent();
    const database = await newDatabase();
    const first = await start(dataDir, database);
    let couponId: string;
    try {
      await first.listen({ port: 0, tlsPort: false });
      couponId = await sendOne(first, 'old');
    } finally {
      await first.close();
    }
    // What an earlier version left: everything readable by all.
    for (const rel of Object.keys(modes(dataDir))) {
      const p = join(dataDir, rel);
      chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
    }
    if (engine === 'sqlite') leaveWalBehind(join(dataDir, 'platform.sqlite'));

    await assert.rejects(start(dataDir, database), /chmod 700/);
    chmodSync(dataDir, 0o700);
    const second = await start(dataDir, database);
    try {
      const found = assertPrivate(dataDir);
      if (engine === 'sqlite') for (const f of sqliteFiles) assert.ok(f in found, `${f} exists`);
      const coupon = await second.context.db
        .selectFrom('favor_coupons')
        .select('coupon_id')
        .where('coupon_id', '=', couponId)
        .executeTakeFirst();
      assert.ok(coupon, 'the coupon issued before is still there');
      if (engine === 'sqlite') {
        const leftover = await second.context.db
          .selectFrom('settings')
          .select('value')
          .where('name', '=', 'perm-test.leftover')
          .executeTakeFirst();
        assert.equal(leftover?.value, 'from the wal', 'the write only in the left -wal was recovered');
      }
    } finally {
      await second.close();
    }
    assertPrivate(dataDir);
  });
});

/**
 * A process that writes to the database in WAL mode and is SIGKILLed, as a crash leaves it: the -wal
 * (holding that write) and the -shm stay behind with the main file's mode, here 0644.
 */
function leaveWalBehind(file: string): void {
  const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `
    const Database = require(${JSON.stringify(sqlitePath)});
    const db = new Database(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.prepare("insert into settings (name, value) values ('perm-test.leftover', 'from the wal')").run();
    process.kill(process.pid, 'SIGKILL');
  `;
  const r = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  assert.equal(r.signal, 'SIGKILL', r.stderr.toString());
  for (const side of ['-wal', '-shm']) {
    assert.ok(existsSync(`${file}${side}`), `${side} left behind`);
    assert.equal(mode(`${file}${side}`), '0644');
  }
}
