import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { databaseTarget, groupCommitOf, isUniqueViolation, openDatabase } from '../src/db/database.js';
import type { GroupCommitDriver } from '../src/db/sqlite-group-commit.js';

// SQLite group commit: the work of one event-loop turn shares one transaction, each Kysely transaction
// stays atomic on its own, and durable() says when it is all on disk.

// biome-ignore lint/suspicious/noExplicitAny: a scratch schema outside the platform's own.
type Scratch = Kysely<any>;

// The driver's marks and barrier, called as the platform's commit barrier (db/durability.ts) calls them.
const driverOf = (db: Scratch) => groupCommitOf(db as never) as GroupCommitDriver;
const durabilityMark = (db: Scratch) => driverOf(db).mark();
const durabilityReach = (db: Scratch) => driverOf(db).reach();
const durable = (db: Scratch, since?: number, upTo?: number) => driverOf(db).durable(since, upTo);

describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  let db: Scratch;
  let reader: SqliteDatabase.Database;
  const count = (table: string) => (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxcoupon-group-commit-'));
    file = join(dir, 'scratch.sqlite');
    db = openDatabase(databaseTarget(`sqlite:${file}`, dir)) as unknown as Scratch;
    await sql`CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`.execute(db);
    await sql`CREATE TABLE parents (id TEXT PRIMARY KEY)`.execute(db);
    await sql`CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)`.execute(
      db,
    );
    await durable(db as never);
    // A second, independent connection sees only what is committed.
    reader = new SqliteDatabase(file, { readonly: true });
  });
  after(async () => {
    reader?.close();
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes of one turn are committed together, and durable() resolves after the commit', async () => {
    const writes = Array.from({ length: 20 }, (_, i) =>
      db.transaction().execute((trx) =>
        trx
          .insertInto('items')
          .values({ id: `a${i}`, n: i })
          .execute(),
      ),
    );
    await Promise.all(writes);
    assert.equal(count('items'), 0, 'nothing is committed while the turn is still running');
    await durable(db as never);
    assert.equal(count('items'), 20);
    await durable(db as never); // nothing pending: resolves at once
  });

  test('a failed transaction undoes only its own writes; the rest of the batch commits', async () => {
    const good = db.transaction().execute((trx) => trx.insertInto('items').values({ id: 'b1', n: 1 }).execute());
    const bad = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 'b2', n: 2 }).execute();
      throw new Error('changed my mind');
    });
    const duplicate = db.insertInto('items').values({ id: 'b1', n: 9 }).execute();
    await good;
    await assert.rejects(bad, /changed my mind/);
    await assert.rejects(duplicate, (err) => isUniqueViolation(err));
    const after = db.transaction().execute((trx) => trx.insertInto('items').values({ id: 'b3', n: 3 }).execute());
    await after;
    await durable(db as never);
    const ids = (
      reader.prepare("SELECT id, n FROM items WHERE id LIKE 'b%' ORDER BY id").all() as Array<{
        id: string;
        n: number;
      }>
    ).map((r) => `${r.id}=${r.n}`);
    assert.deepEqual(ids, ['b1=1', 'b3=3']);
  });

  test('when the commit fails, the whole batch is undone and durable() rejects', async () => {
    const since = durabilityMark(db as never);
    // A deferred foreign key is checked at COMMIT: an orphan row makes the commit itself fail.
    await db.insertInto('items').values({ id: 'c1', n: 1 }).execute();
    await db.insertInto('children').values({ id: 'orphan', parent: 'nobody' }).execute();
    await assert.rejects(durable(db as never, since), /FOREIGN KEY/);
    assert.equal(count('children'), 0);
    assert.equal((reader.prepare("SELECT count(*) AS n FROM items WHERE id = 'c1'").get() as { n: number }).n, 0);
    // The connection carries on with a fresh batch; work begun before the failure still reports it,
    // however many batches commit after it, while work begun after it does not.
    const later = durabilityMark(db as never);
    await db.insertInto('items').values({ id: 'c2', n: 2 }).execute();
    await durable(db as never, later);
    await assert.rejects(durable(db as never, since), /FOREIGN KEY/);
    assert.equal((reader.prepare("SELECT count(*) AS n FROM items WHERE id = 'c2'").get() as { n: number }).n, 1);
  });

  test('two connections of one process on the same file take turns instead of blocking each other', async () => {
    const other = openDatabase(databaseTarget(`sqlite:${file}`, dir)) as unknown as Scratch;
    try {
      const t0 = performance.now();
      const since = [durabilityMark(db as never), durabilityMark(other as never)] as const;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? db : other)
            .insertInto('items')
            .values({ id: `d${i}`, n: i })
            .execute(),
        ),
      );
      await Promise.all([durable(db as never, since[0]), durable(other as never, since[1])]);
      assert.ok(performance.now() - t0 < 2000, 'no wait on the busy timeout');
      assert.equal((reader.prepare("SELECT count(*) AS n FROM items WHERE id LIKE 'd%'").get() as { n: number }).n, 40);
    } finally {
      await other.destroy();
    }
  });

  test("waiting for another process's write lock does not stop the event loop", async () => {
    // A connection the driver does not know of stands for another process (serve --workers): it holds
    // the write lock for 150 ms while a write is asked for here.
    const elsewhere = new SqliteDatabase(file);
    elsewhere.pragma('busy_timeout = 5000');
    elsewhere.prepare('BEGIN IMMEDIATE').run();
    elsewhere.prepare("INSERT INTO items (id, n) VALUES ('p1', 1)").run();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const release = sleep(150).then(() => elsewhere.prepare('COMMIT').run());
      const since = durabilityMark(db as never);
      const write = db.insertInto('items').values({ id: 'p2', n: 2 }).execute();
      await sleep(100);
      assert.ok(ticks >= 5, `the loop ran while the lock was held elsewhere (${ticks} ticks of 10 ms in 100 ms)`);
      await Promise.all([write, release]);
      await durable(db as never, since);
      assert.equal(
        (reader.prepare("SELECT count(*) AS n FROM items WHERE id IN ('p1', 'p2')").get() as { n: number }).n,
        2,
      );
    } finally {
      clearInterval(ticker);
      if (elsewhere.inTransaction) elsewhere.prepare('ROLLBACK').run();
      elsewhere.close();
    }
  });

  test('a batch keeps collecting writes over several turns until an answer needs it, or at most 10 ms', async () => {
    const committed = (id: string) =>
      (reader.prepare('SELECT count(*) AS n FROM items WHERE id = ?').get(id) as { n: number }).n === 1;
    const since = durabilityMark(db as never);
    await db.insertInto('items').values({ id: 'f1', n: 1 }).execute();
    await new Promise((resolve) => setImmediate(resolve));
    await db.insertInto('items').values({ id: 'f2', n: 2 }).execute();
    assert.equal(committed('f1') || committed('f2'), false, 'nobody asked: the batch is still open a turn later');
    await durable(db as never, since);
    assert.equal(committed('f1') && committed('f2'), true, 'one durable() commits both');
    // Nobody asking at all: the age limit commits it.
    await db.insertInto('items').values({ id: 'f3', n: 3 }).execute();
    await sleep(40);
    assert.equal(committed('f3'), true);
  });

  test('an answer waits for the batches its own statements could be in, not for ones opened after', async () => {
    const since = durabilityMark(db as never);
    await db.insertInto('items').values({ id: 'g1', n: 1 }).execute();
    await durable(db as never, since);
    const upTo = durabilityReach(db as never);
    // Someone else's write opens a new batch after this request's work was done.
    await db.insertInto('items').values({ id: 'g2', n: 2 }).execute();
    let settled = false;
    await durable(db as never, since, upTo).then(() => {
      settled = true;
    });
    assert.equal(settled, true);
    assert.equal((reader.prepare("SELECT count(*) AS n FROM items WHERE id = 'g2'").get() as { n: number }).n, 0);
    // A request that did write into the open batch waits for it, and gets it committed.
    await durable(db as never, since, durabilityReach(db as never));
    assert.equal((reader.prepare("SELECT count(*) AS n FROM items WHERE id = 'g2'").get() as { n: number }).n, 1);
  });

  test('closing the database commits what is pending', async () => {
    const own = openDatabase(databaseTarget(`sqlite:${file}`, dir)) as unknown as Scratch;
    await own.insertInto('items').values({ id: 'e1', n: 1 }).execute();
    await own.destroy();
    assert.equal((reader.prepare("SELECT count(*) AS n FROM items WHERE id = 'e1'").get() as { n: number }).n, 1);
  });
});

test('closing the database commits the open batch but undoes a transaction still running in it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-group-commit-close-'));
  const file = join(dir, 'scratch.sqlite');
  try {
    const db = openDatabase(databaseTarget(`sqlite:${file}`, dir)) as unknown as Scratch;
    await sql`CREATE TABLE items (id TEXT PRIMARY KEY)`.execute(db);
    await durable(db as never);
    await sql`INSERT INTO items (id) VALUES ('answered')`.execute(db);
    let inside!: () => void;
    const entered = new Promise<void>((ok) => {
      inside = ok;
    });
    // A request cut off at shutdown: its transaction has written and waits for something else.
    const cutOff = db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO items (id) VALUES ('half')`.execute(trx);
        inside();
        await sleep(200);
        await sql`INSERT INTO items (id) VALUES ('other half')`.execute(trx);
      })
      .catch(() => 'failed');
    await entered;
    await db.destroy();
    assert.equal(await cutOff, 'failed');
    const check = new SqliteDatabase(file, { readonly: true });
    try {
      const ids = (check.prepare('SELECT id FROM items ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
      assert.deepEqual(ids, ['answered']);
    } finally {
      check.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
