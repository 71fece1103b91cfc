import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadPrivateKey } from '@wxcoupon/sdk/crypto';
import { Migrator } from 'kysely';
import { databaseTarget, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { ApiError } from '../../src/errors/api-error.js';
import { V2Failure } from '../../src/features/v2coupon/v2-failure.js';
import { busifavorStockBody, unique } from '../busifavor-helpers.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import type { SignedClient, SignedResponse } from '../helpers/signed-fetch.js';
import { createTestDatabase, testEngine } from '../helpers/test-database.js';
import { runningStock, sendBody } from './helpers/stocks.js';

// Merchants side by side on one platform. An openid means a user only under its appid: the same
// string under two appids is two users, each with its own coupons and per-user limits. And a
// merchant without rights to a stock learns nothing from a request number another merchant used:
// it gets the answer a fresh number gets.

const FAVOR = (openid: string) => `/v3/marketing/favor/users/${openid}/coupons`;
const BUSIFAVOR_SEND = '/v3/marketing/busifavor/coupons/send';
const PRODUCT_SEND = '/v3/marketing/busifavor/product-coupons/send';

/** What a caller can observe of an answer: status and body (a refusal's code, message and detail). */
function seen(r: SignedResponse) {
  return { status: r.status, body: r.data };
}

describe(`tenancy on ${testEngine()}`, () => {
  let t: TestPlatform;
  let a: SignedClient;
  let aMchid: string;
  let aAppid: string;
  let b: SignedClient;
  let bMchid: string;
  const bAppid = 'wx-tenant-b';

  before(async () => {
    t = await startTestPlatform({ rateLimits: { 'busifavor.stocks.create': 100_000 } });
    a = t.client;
    ({ mchid: aMchid, appid: aAppid } = t.platform.credentials);
    const created = await t.admin('POST', '/merchants', {});
    assert.equal(created.status, 200);
    bMchid = created.data.mchid;
    assert.equal((await t.admin('POST', `/merchants/${bMchid}/appids`, { appid: bAppid })).status, 200);
    b = a.with({ mchid: bMchid, serial: created.data.serial, privateKey: loadPrivateKey(created.data.private_key) });
  });
  after(() => t?.close());

  const busifavorStock = async (client: SignedClient, mchid: string, send: Record<string, unknown> = {}) => {
    const r = await client.post(
      '/v3/marketing/busifavor/stocks',
      busifavorStockBody(mchid, 'WECHATPAY_MODE', { send }),
    );
    assert.equal(r.status, 200, r.text);
    return r.data.stock_id as string;
  };
  const usersWith = (openid: string) =>
    t.platform.context.db.selectFrom('users').select('appid').where('openid', '=', openid).orderBy('appid').execute();

  describe('an openid belongs to one appid', () => {
    test('代金券: B sends to oX under its appid, then A under its own: two users, each with its own per-user limit', async () => {
      const stockId = await runningStock(a, aMchid, 10, { max_coupons_per_user: 1 });
      assert.equal((await t.admin('POST', `/favor/stocks/${stockId}/senders`, { mchid: bMchid })).status, 200);
      const byB = await b.post(FAVOR('oX-favor'), sendBody(stockId, aMchid, bAppid, unique('b')));
      assert.equal(byB.status, 200, byB.text);
      const byA = await a.post(FAVOR('oX-favor'), sendBody(stockId, aMchid, aAppid, unique('a')));
      assert.equal(byA.status, 200, byA.text);
      assert.notEqual(byA.data.coupon_id, byB.data.coupon_id);
      assert.deepEqual(
        (await usersWith('oX-favor')).map((u) => u.appid),
        [aAppid, bAppid].sort(),
      );
      // max_coupons_per_user = 1 counts per (appid, openid): A's user has had its one.
      const again = await a.post(FAVOR('oX-favor'), sendBody(stockId, aMchid, aAppid, unique('a')));
      assert.equal(again.status, 403, again.text);
      assert.equal(again.data.code, 'REQUEST_BLOCKED');
      // Each appid's list holds its own user's coupon only.
      const listA = await a.get(`${FAVOR('oX-favor')}?appid=${aAppid}&creator_mchid=${aMchid}`);
      assert.deepEqual(
        listA.data.data.map((c: { coupon_id: string }) => c.coupon_id),
        [byA.data.coupon_id],
      );
      const listB = await b.get(`${FAVOR('oX-favor')}?appid=${bAppid}&sender_mchid=${bMchid}`);
      assert.deepEqual(
        listB.data.data.map((c: { coupon_id: string }) => c.coupon_id),
        [byB.data.coupon_id],
      );
      const crossed = await a.get(`${FAVOR('oX-favor')}/${byB.data.coupon_id}?appid=${aAppid}`);
      assert.equal(crossed.status, 404);
    });

    test('商家券: one openid under two appids of a merchant is two users, and may reuse a request number', async () => {
      const second = 'wx-tenant-a2';
      assert.equal((await t.admin('POST', `/merchants/${aMchid}/appids`, { appid: second })).status, 200);
      const stockId = await busifavorStock(a, aMchid, { max_coupons_per_user: 1 });
      const number = unique('same');
      const first = await a.post(BUSIFAVOR_SEND, {
        stock_id: stockId,
        openid: 'oX-busi',
        appid: aAppid,
        out_request_no: number,
      });
      const other = await a.post(BUSIFAVOR_SEND, {
        stock_id: stockId,
        openid: 'oX-busi',
        appid: second,
        out_request_no: number,
      });
      assert.equal(first.status, 200, first.text);
      assert.equal(other.status, 200, other.text);
      assert.notEqual(first.data.send_coupon_result.coupon_code, other.data.send_coupon_result.coupon_code);
      const limited = await a.post(BUSIFAVOR_SEND, {
        stock_id: stockId,
        openid: 'oX-busi',
        appid: aAppid,
        out_request_no: unique('again'),
      });
      assert.equal(limited.status, 403, limited.text);
      assert.equal(limited.data.code, 'RULELIMIT');
      for (const [appid, code] of [
        [aAppid, first.data.send_coupon_result.coupon_code],
        [second, other.data.send_coupon_result.coupon_code],
      ]) {
        const list = await a.get(
          `/v3/marketing/busifavor/users/oX-busi/coupons?appid=${appid}&creator_merchant=${aMchid}`,
        );
        assert.deepEqual(
          list.data.data.map((c: { coupon_code: string }) => c.coupon_code),
          [code],
        );
      }
    });

    test('an openid known only under another appid is refused when users are not registered on first use', async () => {
      assert.equal((await t.admin('POST', '/users', { appid: bAppid, openid: 'oY-known' })).status, 200);
      const favorStock = await runningStock(a, aMchid, 10);
      const busiStock = await busifavorStock(a, aMchid);
      t.platform.context.autoRegisterUsers = false;
      try {
        const favor = await a.post(FAVOR('oY-known'), sendBody(favorStock, aMchid, aAppid, unique('y')));
        assert.deepEqual(seen(favor), {
          status: 400,
          body: { code: 'INVALID_REQUEST', message: 'openid与appID不匹配' },
        });
        const busi = await a.post(BUSIFAVOR_SEND, {
          stock_id: busiStock,
          openid: 'oY-known',
          appid: aAppid,
          out_request_no: unique('y'),
        });
        assert.equal(busi.status, 404, busi.text);
        assert.equal(busi.data.code, 'USER_NOT_EXISTS');
        // B's own user is B's to send to.
        assert.equal((await t.admin('POST', `/favor/stocks/${favorStock}/senders`, { mchid: bMchid })).status, 200);
        const own = await b.post(FAVOR('oY-known'), sendBody(favorStock, aMchid, bAppid, unique('y')));
        assert.equal(own.status, 200, own.text);
      } finally {
        t.platform.context.autoRegisterUsers = true;
      }
      // An appid that is not the caller's is APPID_MCHID_NOT_MATCH, registered users or not.
      const foreign = await a.post(FAVOR('oY-known'), sendBody(favorStock, aMchid, bAppid, unique('y')));
      assert.equal(foreign.data.code, 'APPID_MCHID_NOT_MATCH');
      assert.deepEqual(
        (await usersWith('oY-known')).map((u) => u.appid),
        [bAppid],
      );
    });

    test('the admin API names a user by appid and openid, and by openid alone only while it is unambiguous', async () => {
      assert.equal((await t.admin('POST', '/users', { appid: bAppid, openid: 'oZ-admin' })).status, 200);
      assert.equal((await t.admin('GET', '/users/oZ-admin')).data.appid, bAppid);
      assert.equal(
        (await t.admin('POST', '/users', { appid: aAppid, openid: 'oZ-admin', person_id: 'p1' })).status,
        200,
      );
      const twice = await t.admin('POST', '/users', { appid: aAppid, openid: 'oZ-admin' });
      assert.equal(twice.data.code, 'RESOURCE_ALREADY_EXISTS');
      const ambiguous = await t.admin('GET', '/users/oZ-admin');
      assert.equal(ambiguous.status, 400);
      assert.equal(ambiguous.data.code, 'PARAM_ERROR');
      assert.equal((await t.admin('PATCH', '/users/oZ-admin', { abnormal: true })).data.code, 'PARAM_ERROR');
      const flagged = await t.admin('PATCH', `/users/oZ-admin?appid=${aAppid}`, { abnormal: true });
      assert.deepEqual(flagged.data, { openid: 'oZ-admin', appid: aAppid, person_id: 'p1', abnormal: true });
      const untouched = await t.admin('GET', `/users/oZ-admin?appid=${bAppid}`);
      assert.deepEqual(untouched.data, { openid: 'oZ-admin', appid: bAppid, person_id: null, abnormal: false });
      assert.equal((await t.admin('GET', '/users/oZ-admin?appid=wx-none')).data.code, 'USER_NOT_EXISTS');
    });
  });

  describe('a request number of another merchant answers as a fresh one', () => {
    /** B sends A's exact request and the same with a fresh number; both answers must be the same refusal. */
    async function sameRefusal(send: (number: string) => Promise<SignedResponse>, replayed: string, expected: string) {
      const replay = seen(await send(replayed));
      const fresh = seen(await send(unique('fresh')));
      assert.equal(replay.body.code, expected, JSON.stringify(replay));
      assert.deepEqual(replay, fresh);
    }

    test('代金券 send', async () => {
      const stockId = await runningStock(a, aMchid, 10);
      const number = unique('fa');
      const sent = await a.post(FAVOR('o-oracle'), sendBody(stockId, aMchid, aAppid, number));
      assert.equal(sent.status, 200, sent.text);
      await sameRefusal(
        (n) => b.post(FAVOR('o-oracle'), sendBody(stockId, aMchid, aAppid, n)),
        number,
        'APPID_MCHID_NOT_MATCH',
      );
      await sameRefusal(
        (n) => b.post(FAVOR('o-oracle'), sendBody(stockId, aMchid, bAppid, n)),
        number,
        'REQUEST_BLOCKED',
      );
      const replay = await a.post(FAVOR('o-oracle'), sendBody(stockId, aMchid, aAppid, number));
      assert.deepEqual(replay.data, sent.data);
    });

    test('商家券 coupons/send and product-coupons/send', async () => {
      const stockId = await busifavorStock(a, aMchid);
      assert.equal((await t.admin('PUT', `/busifavor/stocks/${stockId}/product`, { product_id: 'SKU-T' })).status, 200);
      for (const [path, extra] of [
        [BUSIFAVOR_SEND, {}],
        [PRODUCT_SEND, { coupon_type: 'NORMAL' }],
      ] as const) {
        const body = (appid: string, n: string) => ({
          stock_id: stockId,
          openid: 'o-oracle',
          appid,
          out_request_no: n,
          ...extra,
        });
        const number = unique('ba');
        const sent = await a.post(path, body(aAppid, number));
        assert.equal(sent.status, 200, sent.text);
        await sameRefusal((n) => b.post(path, body(aAppid, n)), number, 'APPID_MCHID_NOT_MATCH');
        await sameRefusal((n) => b.post(path, body(bAppid, n)), number, 'NOAUTH');
        const replay = await a.post(path, body(aAppid, number));
        assert.deepEqual(replay.data, sent.data);
      }
    });

    test('商家券 use, return and deactivate of a coupon of another merchant’s stock', async () => {
      const stockId = await busifavorStock(a, aMchid);
      const sent = await a.post(BUSIFAVOR_SEND, {
        stock_id: stockId,
        openid: 'o-oracle-use',
        appid: aAppid,
        out_request_no: unique('u'),
      });
      const code = sent.data.send_coupon_result.coupon_code as string;
      const useBody = (by: string, coupon: string, n: string) => ({
        coupon_code: coupon,
        stock_id: stockId,
        appid: by,
        use_time: new Date().toISOString(),
        use_request_no: n,
      });
      const useNo = unique('use');
      const used = await a.post('/v3/marketing/busifavor/coupons/use', useBody(aAppid, code, useNo));
      assert.equal(used.status, 200, used.text);
      // A's coupon and request number, or a code that does not exist: B cannot tell them apart.
      const byB = (coupon: string, n: string) =>
        b.post('/v3/marketing/busifavor/coupons/use', useBody(bAppid, coupon, n));
      const replayed = seen(await byB(code, useNo));
      assert.equal(replayed.body.code, 'NOAUTH', JSON.stringify(replayed));
      assert.deepEqual(replayed, seen(await byB('0000000000000000000000', unique('use'))));
      for (const [path, field] of [
        ['/v3/marketing/busifavor/coupons/return', 'return_request_no'],
        ['/v3/marketing/busifavor/coupons/deactivate', 'deactivate_request_no'],
      ]) {
        const real = seen(
          await b.post(path as string, { coupon_code: code, stock_id: stockId, [field as string]: unique('r') }),
        );
        const none = seen(
          await b.post(path as string, {
            coupon_code: '0000000000000000000000',
            stock_id: stockId,
            [field as string]: unique('r'),
          }),
        );
        assert.equal(real.body.code, 'NOAUTH', JSON.stringify(real));
        assert.deepEqual(real, none);
      }
      const replay = await a.post('/v3/marketing/busifavor/coupons/use', useBody(aAppid, code, useNo));
      assert.deepEqual(replay.data, used.data);
    });

    test('APIv2 send_coupon', async () => {
      const v2 = t.platform.context.services.v2coupon;
      const stockId = await runningStock(a, aMchid, 10);
      const input = (appid: string, partnerTradeNo: string) => ({
        stockId,
        openid: 'o-oracle-v2',
        appid,
        partnerTradeNo,
        deviceInfo: '',
      });
      const refusal = async (mchid: string, appid: string, n: string) => {
        try {
          await v2.sendCoupon(mchid, input(appid, n));
        } catch (err) {
          if (err instanceof V2Failure) return { code: err.code, message: err.message };
          throw err;
        }
        throw new Error('expected a refusal');
      };
      const number = `${aMchid}20261122000001`;
      const sent = await v2.sendCoupon(aMchid, input(aAppid, number));
      for (const appid of [aAppid, bAppid]) {
        const replay = await refusal(bMchid, appid, number);
        assert.equal(replay.code, 'PARAM_ERROR');
        assert.deepEqual(replay, await refusal(bMchid, appid, `${bMchid}20261122000002`));
      }
      assert.deepEqual(await v2.sendCoupon(aMchid, input(aAppid, number)), sent);
    });
  });
});

describe(`a database made before users were keyed by appid, on ${testEngine()}`, () => {
  const LEGACY = '1230000001';
  const APPID = 'wx-legacy';
  const OTHER = 'wx-legacy-2';
  const HOUR = 3600_000;

  /** A database at the migration before 0007, holding a user, and a coupon of each family with its per-user count. */
  async function legacyDatabase(dataDir: string, url: string) {
    const db = openDatabase(databaseTarget(url, dataDir));
    try {
      const migrated = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(
        '0006_rate_limits',
      );
      assert.equal(migrated.error, undefined);
      const now = Date.now();
      await db
        .insertInto('merchants')
        .values({
          mchid: LEGACY,
          name: 'legacy',
          api_v3_key: 'k'.repeat(32),
          api_v2_key: 'k'.repeat(32),
          platform_key_mode: 'both',
          created_at: now,
        })
        .execute();
      for (const appid of [APPID, OTHER]) {
        await db.insertInto('appids').values({ appid, created_at: now }).execute();
        await db.insertInto('merchant_appids').values({ mchid: LEGACY, appid }).execute();
      }
      await db
        .insertInto('users')
        .values({ openid: 'o-legacy', appid: APPID, person_id: 'p-legacy', abnormal: 0, created_at: now })
        .execute();
      await db
        .insertInto('favor_stocks')
        .values({
          stock_id: '7000000001',
          creator_mchid: LEGACY,
          out_request_no: 'legacy-stock',
          request_hash: 'h',
          stock_name: 'legacy',
          comment: null,
          belong_merchant: LEGACY,
          status: 'running',
          stock_type: 'NORMAL',
          no_cash: 0,
          available_begin_ms: now - HOUR,
          available_end_ms: now + 24 * HOUR,
          max_coupons: 10,
          max_amount: 1000,
          max_amount_by_day: null,
          max_coupons_per_user: 1,
          natural_person_limit: 0,
          prevent_api_abuse: 0,
          coupon_amount: 100,
          transaction_minimum: 200,
          distributed_coupons: 1,
          distributed_amount: 100,
          singleitem: 0,
          rules_json: JSON.stringify({ available_merchants: [LEGACY] }),
          create_ms: now - HOUR,
          start_ms: now - HOUR,
          pause_ms: null,
          restart_ms: null,
          stop_ms: null,
        })
        .execute();
      await db
        .insertInto('favor_user_counts')
        .values({ stock_id: '7000000001', user_key: 'openid:o-legacy', received: 1 })
        .execute();
      await db
        .insertInto('favor_coupons')
        .values({
          coupon_id: '700000000000000001',
          stock_id: '7000000001',
          creator_mchid: LEGACY,
          sender_mchid: LEGACY,
          out_request_no: 'legacy-send',
          request_hash: 'h',
          openid: 'o-legacy',
          appid: APPID,
          coupon_amount: 100,
          transaction_minimum: 200,
          status: 'SENDED',
          create_ms: now - HOUR,
          available_begin_ms: now - HOUR,
          available_end_ms: now + 24 * HOUR,
          consume_json: null,
        })
        .execute();
      const body = busifavorStockBody(LEGACY, 'WECHATPAY_MODE', { send: { max_coupons_per_user: 1 } });
      await db
        .insertInto('busifavor_stocks')
        .values({
          stock_id: '7000000002',
          creator_mchid: LEGACY,
          out_request_no: 'legacy-bstock',
          request_hash: 'h',
          belong_merchant: LEGACY,
          stock_name: 'legacy',
          stock_type: 'NORMAL',
          coupon_code_mode: 'WECHATPAY_MODE',
          stock_state: 'RUNNING',
          available_begin_ms: now - HOUR,
          available_end_ms: now + 24 * HOUR,
          max_coupons: 10,
          max_coupons_by_day: null,
          max_coupons_per_user: 1,
          natural_person_limit: 0,
          prevent_api_abuse: 0,
          distributed_coupons: 1,
          uploaded_codes: 0,
          product_json: null,
          body_json: JSON.stringify(body),
          create_ms: now - HOUR,
          update_ms: now - HOUR,
        })
        .execute();
      await db
        .insertInto('busifavor_user_counts')
        .values({ stock_id: '7000000002', user_key: 'openid:o-legacy', received: 1 })
        .execute();
      await db
        .insertInto('busifavor_coupons')
        .values({
          stock_id: '7000000002',
          coupon_code: '7000000000000000000002',
          creator_mchid: LEGACY,
          belong_merchant: LEGACY,
          sender_mchid: LEGACY,
          openid: 'o-legacy',
          appid: APPID,
          out_request_no: 'legacy-bsend',
          request_hash: 'h',
          channel: 'API',
          coupon_type: null,
          member_card_id: null,
          state: 'SENDED',
          receive_ms: now - HOUR,
          available_start_ms: now - HOUR,
          expire_ms: now + 24 * HOUR,
          use_request_no: null,
          use_ms: null,
          use_json: null,
          associate_out_trade_no: null,
          return_request_no: null,
          return_ms: null,
          deactivate_request_no: null,
          deactivate_ms: null,
          deactivate_reason: null,
        })
        .execute();
    } finally {
      await db.destroy();
    }
  }

  test('migrating keeps every row readable, and the per-user counts now count per (appid, openid)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-legacy-'));
    const database = await createTestDatabase();
    const url = database.url ?? 'sqlite:platform.sqlite';
    let t: TestPlatform | undefined;
    try {
      await legacyDatabase(dataDir, url);
      t = await startTestPlatform({ dataDir, database: url });
      const { merchants, favor, busifavor } = t.platform.context.services;
      assert.deepEqual(await merchants.getUser('o-legacy', APPID), {
        openid: 'o-legacy',
        appid: APPID,
        personId: 'p-legacy',
        abnormal: false,
      });
      const listed = await favor.listCoupons(LEGACY, {
        openid: 'o-legacy',
        appid: APPID,
        creator: LEGACY,
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        (listed.data ?? []).map((c) => c.coupon_id),
        ['700000000000000001'],
      );
      const busi = await busifavor.coupons.list(LEGACY, {
        openid: 'o-legacy',
        appid: APPID,
        creator: LEGACY,
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        busi.data.map((c) => c.coupon_code),
        ['7000000000000000000002'],
      );
      // The migrated counters still hold the legacy user to max_coupons_per_user = 1 ...
      const favorSend = (appid: string, outRequestNo: string) =>
        favor.send(LEGACY, {
          openid: 'o-legacy',
          stockId: '7000000001',
          outRequestNo,
          appid,
          stockCreatorMchid: LEGACY,
          couponValue: undefined,
          couponMinimum: undefined,
        });
      const busiSend = (appid: string, outRequestNo: string) =>
        busifavor.coupons.send(LEGACY, {
          openid: 'o-legacy',
          appid,
          stockId: '7000000002',
          outRequestNo,
          couponCode: undefined,
        });
      // Each refusal is awaited as it is made: a promise left waiting while another is awaited would reject
      // unhandled, and the runner counts that as a failure.
      for (const refused of [() => favorSend(APPID, 'after-1'), () => busiSend(APPID, 'after-1')]) {
        await assert.rejects(
          refused(),
          (err) => err instanceof ApiError && ['REQUEST_BLOCKED', 'RULELIMIT'].includes(err.code),
        );
      }
      // ... while the same openid under the merchant's other appid is a new user with limits of its own.
      assert.ok((await favorSend(OTHER, 'after-2')).coupon_id);
      assert.equal((await busiSend(OTHER, 'legacy-bsend')).out_request_no, 'legacy-bsend');
      assert.deepEqual(
        (
          await t.platform.context.db
            .selectFrom('users')
            .select('appid')
            .where('openid', '=', 'o-legacy')
            .orderBy('appid')
            .execute()
        ).map((u) => u.appid),
        [APPID, OTHER],
      );
    } finally {
      await t?.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
