import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../src/db/schema.js';
import { isTransientConflict, writeTransaction } from '../src/db/transaction.js';
import { ApiError } from '../src/errors/api-error.js';
import { stockBody } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { issuedByDay, stockAsRead } from './helpers/stock-as-read.js';
import { testEngine } from './helpers/test-database.js';

// Write transactions that lose a conflict (serialization failure, deadlock, PostgreSQL's multixact
// race) run again from the start, a bounded number of times, with nothing of a failed attempt left.
// On PostgreSQL the conflicts are raised by the server itself; SQLite never reports these codes, so
// there the same error shape is thrown, to check that its savepoints roll a failed attempt back.

const engine = testEngine();
const MULTIXACT = 'new multixact has more than one updating member: 0 2[9,10]';
const CONFLICTS = [
  { code: '40001', message: 'could not serialize access due to concurrent update' },
  { code: '40P01', message: 'deadlock detected' },
  { code: 'XX000', message: MULTIXACT },
];
const noWait = { sleep: async () => {} };

let t: TestPlatform;
before(async () => {
  t = await startTestPlatform();
});
after(() => t?.close());

/** Fails the transaction with `conflict`, as PostgreSQL would (there by the server, on SQLite by shape). */
async function raise(trx: Transaction<Database>, conflict: { code: string; message: string }): Promise<never> {
  if (engine === 'postgres') {
    await sql
      .raw(`DO $$ BEGIN RAISE EXCEPTION '${conflict.message}' USING ERRCODE = '${conflict.code}'; END $$`)
      .execute(trx);
  }
  throw Object.assign(new Error(conflict.message), { code: conflict.code });
}

async function setting(name: string): Promise<string | undefined> {
  const row = await t.platform.context.db
    .selectFrom('settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value;
}

describe(`write transactions on ${engine}`, () => {
  test('the three conflicts are recognised, and nothing else is', () => {
    for (const c of CONFLICTS) assert.ok(isTransientConflict(Object.assign(new Error(c.message), c)), c.code);
    assert.ok(isTransientConflict({ code: 'XX000', message: 'new multixact has more than one updating member' }));
    for (const other of [
      { code: 'XX000', message: 'could not read block 3' },
      { code: '23505', message: 'duplicate key value violates unique constraint' },
      { code: 'SQLITE_BUSY', message: 'database is locked' },
      new ApiError('NOT_ENOUGH'),
      'deadlock detected',
      undefined,
    ])
      assert.equal(isTransientConflict(other), false, JSON.stringify(other));
  });

  for (const conflict of CONFLICTS) {
    test(`a transaction failing with ${conflict.code} twice after writing is run again and commits once`, async () => {
      const name = `wtx.${conflict.code}.retried`;
      let runs = 0;
      const retried: unknown[] = [];
      const result = await writeTransaction(
        t.platform.context.db,
        async (trx) => {
          runs += 1;
          await trx
            .insertInto('settings')
            .values({ name, value: `attempt ${runs}` })
            .execute();
          if (runs <= 2) await raise(trx, conflict);
          return runs;
        },
        { ...noWait, onRetry: (err) => retried.push(err) },
      );
      assert.equal(result, 3);
      assert.equal(retried.length, 2);
      for (const err of retried) assert.equal((err as { code?: string }).code, conflict.code);
      // The row of the failed attempts was rolled back with them (its key would have collided).
      assert.equal(await setting(name), 'attempt 3');
    });
  }

  test('a transaction that loses every attempt is answered SYSTEM_ERROR, bounded, with nothing written', async () => {
    const name = 'wtx.exhausted';
    let runs = 0;
    const waits: number[] = [];
    await assert.rejects(
      writeTransaction(
        t.platform.context.db,
        async (trx) => {
          runs += 1;
          await trx
            .insertInto('settings')
            .values({ name, value: String(runs) })
            .execute();
          await raise(trx, { code: 'XX000', message: MULTIXACT });
        },
        { sleep: async (ms) => void waits.push(ms) },
      ),
      (err: unknown) => {
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.code, 'SYSTEM_ERROR');
        assert.equal(err.status, 500);
        return true;
      },
    );
    assert.ok(runs >= 3 && runs <= 10, `bounded: ${runs} attempts`);
    assert.equal(waits.length, runs - 1);
    for (const ms of waits) assert.ok(ms >= 0 && ms <= 100, `a small backoff: ${ms} ms`);
    assert.equal(await setting(name), undefined);
  });

  test('other errors are not retried and reach the caller as they are', async () => {
    let runs = 0;
    await assert.rejects(
      writeTransaction(t.platform.context.db, async (trx) => {
        runs += 1;
        await raise(trx, { code: 'XX000', message: 'could not read block 3 of relation' });
      }),
      /could not read block 3/,
    );
    assert.equal(runs, 1);
    runs = 0;
    await assert.rejects(
      writeTransaction(t.platform.context.db, async () => {
        runs += 1;
        throw new ApiError('NOT_ENOUGH');
      }),
      ApiError,
    );
    assert.equal(runs, 1);
  });

  test('a real deadlock between two transactions ends with both committed', {
    skip: engine !== 'postgres',
  }, async () => {
    const db = t.platform.context.db;
    await db
      .insertInto('settings')
      .values([
        { name: 'wtx.deadlock.a', value: '0' },
        { name: 'wtx.deadlock.b', value: '0' },
      ])
      .execute();
    const bump = (trx: Transaction<Database>, which: string) =>
      sql`update settings set value = (value::int + 1)::text where name = ${`wtx.deadlock.${which}`}`.execute(trx);
    // Each takes one row, waits until the other has taken the other row, then asks for it.
    let taken = 0;
    const bothTaken = () =>
      new Promise<void>((ok) => {
        const poll = () => (taken >= 2 ? ok() : setTimeout(poll, 5));
        poll();
      });
    const conflicts: string[] = [];
    const cross = (first: string, second: string) => {
      let attempt = 0;
      return writeTransaction(
        db,
        async (trx) => {
          attempt += 1;
          await bump(trx, first);
          if (attempt === 1) {
            taken += 1;
            await bothTaken();
          }
          await bump(trx, second);
        },
        { onRetry: (err) => conflicts.push((err as { code: string }).code) },
      );
    };
    await Promise.all([cross('a', 'b'), cross('b', 'a')]);
    assert.deepEqual(conflicts, ['40P01'], 'PostgreSQL chose one victim, which was run again');
    assert.equal(await setting('wtx.deadlock.a'), '2');
    assert.equal(await setting('wtx.deadlock.b'), '2');
  });
});

describe('a send whose transaction hits the multixact race on PostgreSQL', { skip: engine !== 'postgres' }, () => {
  // A trigger makes the coupon insert fail as PostgreSQL's multixact race does, for as many inserts
  // as the sequence allows; a sequence, unlike a table, is not rolled back with the transaction.
  async function failNextInserts(n: number): Promise<void> {
    const db = t.platform.context.db;
    await sql`drop trigger if exists wtx_fail on favor_coupons`.execute(db);
    await sql`drop sequence if exists wtx_fail_seq`.execute(db);
    if (n === 0) return;
    await sql.raw(`create sequence wtx_fail_seq`).execute(db);
    await sql
      .raw(
        `create or replace function wtx_fail() returns trigger language plpgsql as $$
         begin
           if nextval('wtx_fail_seq') <= ${n} then
             raise exception '${MULTIXACT}' using errcode = 'XX000';
           end if;
           return new;
         end $$`,
      )
      .execute(db);
    await sql`create trigger wtx_fail before insert on favor_coupons for each row execute function wtx_fail()`.execute(
      db,
    );
  }
  after(() => failNextInserts(0));

  test('is retried whole: one coupon, each budget taken once, and a 200', async () => {
    const { mchid, appid } = t.platform.credentials;
    const created = await t.client.post(
      '/v3/marketing/favor/coupon-stocks',
      stockBody(
        mchid,
        { available_begin_time: new Date().toISOString() },
        { max_coupons: 10, max_coupons_per_user: 1, max_amount_by_day: 500 },
      ),
    );
    assert.equal(created.status, 200, created.text);
    const stockId = created.data.stock_id as string;
    assert.equal(
      (await t.client.post(`/v3/marketing/favor/stocks/${stockId}/start`, { stock_creator_mchid: mchid })).status,
      200,
    );
    const send = (n: string) =>
      t.client.post(`/v3/marketing/favor/users/o-wtx-${n}/coupons`, {
        stock_id: stockId,
        out_request_no: `wtx-${n}`,
        appid,
        stock_creator_mchid: mchid,
      });

    await failNextInserts(3);
    const sent = await send('1');
    assert.equal(sent.status, 200, sent.text);
    const db = t.platform.context.db;
    const stock = await stockAsRead(db, stockId);
    assert.equal(Number(stock.distributed_coupons), 1);
    assert.equal(Number(stock.distributed_amount), 100);
    assert.deepEqual(await issuedByDay(db, stockId), [100]);
    const counts = await db
      .selectFrom('favor_user_counts')
      .select('received')
      .where('stock_id', '=', stockId)
      .execute();
    assert.deepEqual(
      counts.map((c) => Number(c.received)),
      [1],
    );

    // Losing every attempt: the documented SYSTEM_ERROR, nothing taken, and the same request later succeeds.
    await failNextInserts(1000);
    const refused = await send('2');
    assert.equal(refused.status, 500);
    assert.equal(refused.data.code, 'SYSTEM_ERROR');
    await failNextInserts(0);
    const again = await send('2');
    assert.equal(again.status, 200, again.text);
    const after = await stockAsRead(db, stockId);
    assert.equal(Number(after.distributed_coupons), 2);
    const coupons = await db.selectFrom('favor_coupons').select('coupon_id').where('stock_id', '=', stockId).execute();
    assert.equal(coupons.length, 2);
  });
});
