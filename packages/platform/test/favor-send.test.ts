import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { addMerchant, MODES, rejection, sdkFor, stockBody, transport, type Via } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// F8 发放指定批次的代金券: success, idempotency, and every error of the send table.

for (const mode of MODES) {
  describe(`sending a 代金券 (POST /v3/marketing/favor/users/{openid}/coupons) (${mode})`, () => {
    let t: TestPlatform;
    let wxpay: Wechatpay;
    let via: Via;
    let mchid: string;
    let appid: string;
    let seq = 0;
    // The platform's clock runs with real time, shifted when a test needs another day.
    const shift = { ms: 0 };
    const now = {
      get ms() {
        return Date.now() + shift.ms;
      },
    };

    before(async () => {
      t = await startTestPlatform({ clock: () => now.ms, rateLimits: { 'favor.coupons.send': 100_000 } });
      via = await transport(t.platform, mode);
      wxpay = sdkFor(t.platform.credentials, via);
      mchid = t.platform.credentials.mchid;
      appid = t.platform.credentials.appid;
    });
    after(async () => {
      wxpay.close();
      await t.close();
    });

    async function runningStock(
      rule: Record<string, unknown> = {},
      over: Record<string, unknown> = {},
      client = wxpay,
      creator = mchid,
    ): Promise<string> {
      const body = stockBody(creator, { available_begin_time: new Date(now.ms).toISOString(), ...over }, rule);
      const { data } = await client.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
        json: body,
      });
      await client.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
        stock_id: data.stock_id,
        json: { stock_creator_mchid: creator },
      });
      return data.stock_id;
    }

    function send(openid: string, json: Record<string, unknown>, client = wxpay) {
      return client.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
        openid,
        json,
      });
    }

    const body = (stockId: string, over: Record<string, unknown> = {}) => ({
      stock_id: stockId,
      out_request_no: `send${++seq}`,
      appid,
      stock_creator_mchid: mchid,
      ...over,
    });

    test('a send answers a numeric coupon_id that the user can then read', async () => {
      const stock = await runningStock();
      const res = await send('o-alice', body(stock));
      assert.equal(res.status, 200);
      assert.match(res.data.coupon_id, /^\d{1,20}$/);
      const got = await wxpay.request<Record<string, unknown>>(
        'GET',
        'v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
        {
          openid: 'o-alice',
          coupon_id: res.data.coupon_id,
          query: { appid },
        },
      );
      assert.equal(got.data.status, 'SENDED');
      assert.equal(got.data.stock_id, stock);
      assert.deepEqual(got.data.normal_coupon_information, { coupon_amount: 100, transaction_minimum: 200 });
    });

    test('re-sending the same out_request_no with the same content returns the same coupon_id and issues nothing more', async () => {
      const stock = await runningStock();
      const b = body(stock);
      const first = await send('o-bob', b);
      const second = await send('o-bob', { ...b });
      assert.equal(second.data.coupon_id, first.data.coupon_id);
      const s = await wxpay.request<{ distributed_coupons: number }>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
        stock_id: stock,
        query: { stock_creator_mchid: mchid },
      });
      assert.equal(s.data.distributed_coupons, 1);
    });

    test('a retry gets its coupon back after the budget ran out, its per-user slot is used, and the stock is paused', async () => {
      const stock = await runningStock({ max_coupons: 5, max_coupons_per_user: 1 });
      const first = body(stock);
      const issued = await send('o-retry', first);
      for (let i = 2; i <= 5; i++) await send(`o-retry-${i}`, body(stock));
      const totals = async () =>
        (
          await wxpay.request<{ distributed_coupons: number }>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
            stock_id: stock,
            query: { stock_creator_mchid: mchid },
          })
        ).data.distributed_coupons;
      // Budget spent and the user's one slot taken: a new request fails, the retry does not.
      assert.equal((await rejection(send('o-retry-6', body(stock)))).code, 'NOT_ENOUGH');
      assert.equal((await send('o-retry', { ...first })).data.coupon_id, issued.data.coupon_id);
      await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/pause', {
        stock_id: stock,
        json: { stock_creator_mchid: mchid },
      });
      assert.equal((await send('o-retry', { ...first })).data.coupon_id, issued.data.coupon_id);
      // Reusing the number for another user is still a conflict, not the stock's state.
      const reused = await rejection(send('o-someone-else', { ...first }));
      assert.equal(reused.code, 'INVALID_REQUEST');
      assert.equal(reused.detail?.field, '/out_request_no');
      assert.equal(await totals(), 5);
    });

    test('the same out_request_no with different content is 400 INVALID_REQUEST naming out_request_no', async () => {
      const stock = await runningStock();
      const b = body(stock);
      await send('o-carol', b);
      const err = await rejection(send('o-dave', b));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'INVALID_REQUEST');
      assert.equal(err.detail?.field, '/out_request_no');
    });

    test('PARAM_ERROR names the field: missing, too long, wrong type, bad characters, emoji', async () => {
      const stock = await runningStock();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ stock_id: undefined }, '/stock_id'],
        [{ appid: undefined }, '/appid'],
        [{ stock_creator_mchid: undefined }, '/stock_creator_mchid'],
        [{ stock_id: '1'.repeat(21) }, '/stock_id'],
        [{ out_request_no: 'x'.repeat(129) }, '/out_request_no'],
        [{ out_request_no: 'has space' }, '/out_request_no'],
        [{ stock_id: 12345 }, '/stock_id'],
        [{ appid: 'wx😀' }, '/appid'],
        [{ coupon_value: 50 }, '/coupon_value'],
      ];
      for (const [over, field] of cases) {
        const err = await rejection(send('o-param', body(stock, over)));
        assert.equal(err.status, 400, field);
        assert.equal(err.code, 'PARAM_ERROR', field);
        assert.equal(err.detail?.field, field);
      }
      const longOpenid = await rejection(send('o'.repeat(129), body(stock)));
      assert.equal(longOpenid.code, 'PARAM_ERROR');
      assert.equal(longOpenid.detail?.location, 'uri_template');
    });

    test('an unknown stock_creator_mchid is 400 MCH_NOT_EXISTS', async () => {
      const stock = await runningStock();
      const err = await rejection(send('o-x', body(stock, { stock_creator_mchid: '1234567890' })));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'MCH_NOT_EXISTS');
    });

    test('an appid not bound to the caller is 400 APPID_MCHID_NOT_MATCH', async () => {
      const stock = await runningStock();
      const err = await rejection(send('o-x', body(stock, { appid: 'wx-unbound-appid' })));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'APPID_MCHID_NOT_MATCH');
    });

    test('an openid known only under another appid is 400 INVALID_REQUEST when users are not registered on first use', async () => {
      const stock = await runningStock();
      await t.admin('POST', `/merchants/${mchid}/appids`, { appid: 'wx-second-app' });
      await t.admin('POST', '/users', { appid: 'wx-second-app', openid: 'o-of-second-app' });
      t.platform.context.autoRegisterUsers = false;
      try {
        const err = await rejection(send('o-of-second-app', body(stock)));
        assert.equal(err.status, 400);
        assert.equal(err.code, 'INVALID_REQUEST');
        assert.match(err.message, /openid/);
      } finally {
        t.platform.context.autoRegisterUsers = true;
      }
      // Registered on first use, the same openid under the request's appid is a user of its own.
      await send('o-of-second-app', body(stock));
      const shown = await t.admin('GET', `/users/o-of-second-app?appid=${appid}`);
      assert.equal(shown.data.appid, appid);
      assert.equal((await t.admin('GET', '/users/o-of-second-app')).data.code, 'PARAM_ERROR');
    });

    test('an unknown stock is 404 RESOURCE_NOT_EXISTS; a stock of another creator than named is 400 INVALID_REQUEST', async () => {
      const missing = await rejection(send('o-x', body('9999999999')));
      assert.equal(missing.status, 404);
      assert.equal(missing.code, 'RESOURCE_NOT_EXISTS');
      const other = await addMerchant(t.platform, t.admin, appid, via);
      const stock = await runningStock();
      const wrongCreator = await rejection(send('o-x', body(stock, { stock_creator_mchid: other.mchid })));
      assert.equal(wrongCreator.status, 400);
      assert.equal(wrongCreator.code, 'INVALID_REQUEST');
      assert.match(wrongCreator.message, /: 批次信息获取失败,请确认参数是否有误 /);
    });

    test('a stock that is not running, or outside its window, is 400 INVALID_REQUEST', async () => {
      const created = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
        json: stockBody(mchid),
      });
      const unactivated = await rejection(send('o-x', body(created.data.stock_id)));
      assert.equal(unactivated.status, 400);
      assert.equal(unactivated.code, 'INVALID_REQUEST');

      const paused = await runningStock();
      await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/pause', {
        stock_id: paused,
        json: { stock_creator_mchid: mchid },
      });
      assert.equal((await rejection(send('o-x', body(paused)))).code, 'INVALID_REQUEST');

      const later = await runningStock({}, { available_begin_time: new Date(now.ms + 3_600_000).toISOString() });
      assert.equal((await rejection(send('o-x', body(later)))).code, 'INVALID_REQUEST');

      const ended = await runningStock({}, { available_end_time: new Date(now.ms + 60_000).toISOString() });
      shift.ms += 120_000;
      try {
        assert.equal((await rejection(send('o-x', body(ended)))).code, 'INVALID_REQUEST');
        const s = await wxpay.request<{ status: string }>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
          stock_id: ended,
          query: { stock_creator_mchid: mchid },
        });
        assert.equal(s.data.status, 'stoped');
      } finally {
        shift.ms -= 120_000;
      }
    });

    test('a flagged user on a prevent_api_abuse stock is 403 USER_ACCOUNT_ABNORMAL; without the flag the stock sends', async () => {
      await t.admin('POST', '/users', { appid, openid: 'o-flagged', abnormal: true });
      const guarded = await runningStock({ prevent_api_abuse: true });
      const err = await rejection(send('o-flagged', body(guarded)));
      assert.equal(err.status, 403);
      assert.equal(err.code, 'USER_ACCOUNT_ABNORMAL');
      const open = await runningStock({ prevent_api_abuse: false });
      assert.equal((await send('o-flagged', body(open))).status, 200);
      await t.admin('PATCH', '/users/o-flagged', { abnormal: false });
      assert.equal((await send('o-flagged', body(guarded))).status, 200);
    });

    test('max_coupons exhausted is 403 NOT_ENOUGH', async () => {
      const stock = await runningStock({ max_coupons: 5, max_coupons_per_user: 5 });
      for (let i = 0; i < 5; i++) await send(`o-budget-${i}`, body(stock));
      const err = await rejection(send('o-budget-last', body(stock)));
      assert.equal(err.status, 403);
      assert.equal(err.code, 'NOT_ENOUGH');
    });

    test('max_amount_by_day is enforced per Beijing day and resets the next day', async () => {
      const stock = await runningStock({ max_coupons: 10, max_amount_by_day: 200 });
      await send('o-day-1', body(stock));
      await send('o-day-2', body(stock));
      assert.equal((await rejection(send('o-day-3', body(stock)))).code, 'NOT_ENOUGH');
      shift.ms += 86_400_000;
      try {
        assert.equal((await send('o-day-3', body(stock))).status, 200);
      } finally {
        shift.ms -= 86_400_000;
      }
    });

    test('a coupon is valid for its stock’s window narrowed by coupon_available_time', async () => {
      const useRule = (availableTime: Record<string, unknown>) => ({
        coupon_use_rule: {
          fixed_normal_coupon: { coupon_amount: 100, transaction_minimum: 200 },
          available_merchants: [mchid],
          coupon_available_time: availableTime,
        },
      });
      const afterReceive = await runningStock({}, useRule({ available_time_after_receive: 90 }));
      const secondDay = await runningStock(
        {},
        useRule({ second_day_available: true, available_time_after_receive: 60 }),
      );
      const db = t.platform.context.db;
      const issued = async (stock: string, openid: string) => {
        const { data } = await send(openid, body(stock));
        return db
          .selectFrom('favor_coupons')
          .selectAll()
          .where('coupon_id', '=', data.coupon_id)
          .executeTakeFirstOrThrow();
      };
      const a = await issued(afterReceive, 'o-window-a');
      assert.equal(Number(a.available_begin_ms), Number(a.create_ms));
      assert.equal(Number(a.available_end_ms), Number(a.create_ms) + 90 * 60_000);
      const b = await issued(secondDay, 'o-window-b');
      // The next Beijing midnight (UTC+8) after the send, then 60 minutes.
      const local = Number(b.create_ms) + 8 * 3_600_000;
      const midnight = local - (local % 86_400_000) + 86_400_000 - 8 * 3_600_000;
      assert.equal(Number(b.available_begin_ms), midnight);
      assert.equal(Number(b.available_end_ms), midnight + 60 * 60_000);
    });

    test('a send refused by a later counter takes nothing: the per-user slot and a new user are undone', async () => {
      const stock = await runningStock({ max_coupons: 10, max_coupons_per_user: 1, max_amount_by_day: 100 });
      await send('o-undo-1', body(stock));
      assert.equal((await rejection(send('o-undo-2', body(stock)))).code, 'NOT_ENOUGH');
      const db = t.platform.context.db;
      const user = await db.selectFrom('users').select('openid').where('openid', '=', 'o-undo-2').execute();
      assert.deepEqual(user, [], 'the refused send registered no user');
      const slots = await db.selectFrom('favor_user_counts').select('user_key').where('stock_id', '=', stock).execute();
      assert.equal(slots.length, 1, 'only the issued coupon took a per-user slot');
      shift.ms += 86_400_000;
      try {
        // One coupon per user: had the refused send kept its slot, this would be REQUEST_BLOCKED.
        assert.equal((await send('o-undo-2', body(stock))).status, 200);
      } finally {
        shift.ms -= 86_400_000;
      }
    });

    test('max_coupons_per_user reached is 403 REQUEST_BLOCKED, counted per natural person when asked', async () => {
      const stock = await runningStock({ max_coupons_per_user: 2 });
      await send('o-limit', body(stock));
      await send('o-limit', body(stock));
      const err = await rejection(send('o-limit', body(stock)));
      assert.equal(err.status, 403);
      assert.equal(err.code, 'REQUEST_BLOCKED');

      await t.admin('POST', '/users', { appid, openid: 'o-twin-a', person_id: 'id-42' });
      await t.admin('POST', '/users', { appid, openid: 'o-twin-b', person_id: 'id-42' });
      const person = await runningStock({ max_coupons_per_user: 1, natural_person_limit: true });
      await send('o-twin-a', body(person));
      assert.equal((await rejection(send('o-twin-b', body(person)))).code, 'REQUEST_BLOCKED');
      const perOpenid = await runningStock({ max_coupons_per_user: 1, natural_person_limit: false });
      await send('o-twin-a', body(perOpenid));
      assert.equal((await send('o-twin-b', body(perOpenid))).status, 200);
    });

    test('sending from another merchant’s stock is 403 REQUEST_BLOCKED until the stock authorizes that merchant', async () => {
      const other = await addMerchant(t.platform, t.admin, 'wx-other-app', via);
      const stock = await runningStock();
      const json = {
        stock_id: stock,
        out_request_no: `cross${++seq}`,
        appid: 'wx-other-app',
        stock_creator_mchid: mchid,
      };
      const err = await rejection(send('o-cross', json, other.wxpay));
      assert.equal(err.status, 403);
      assert.equal(err.code, 'REQUEST_BLOCKED');
      assert.equal((await t.admin('POST', `/favor/stocks/${stock}/senders`, { mchid: other.mchid })).status, 200);
      const ok = await send('o-cross', json, other.wxpay);
      assert.equal(ok.status, 200);
      const seen = await other.wxpay.request<{ sender_mchid?: string; stock_creator_mchid: string }>(
        'GET',
        'v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
        { openid: 'o-cross', coupon_id: ok.data.coupon_id, query: { appid: 'wx-other-app' } },
      );
      assert.equal(seen.data.stock_creator_mchid, mchid);
    });

    test('more sends per second than the limit are 429 FREQUENCY_LIMIT_EXCEED and issue nothing', async () => {
      // An hour's window, so that all 30 calls fall into one however slowly a loaded machine runs them.
      const hour = 3_600_000;
      const limited = await startTestPlatform({ rateLimits: { 'favor.coupons.send': { limit: 20, windowMs: hour } } });
      try {
        const c = limited.platform.credentials;
        const client = sdkFor(c, { fetch: limited.platform.fetch });
        const left = hour - (Date.now() % hour);
        if (left < 60_000) await new Promise((r) => setTimeout(r, left));
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            send(
              `o-rate-${i}`,
              { stock_id: c.favorStockId, out_request_no: `rate${i}`, appid: c.appid, stock_creator_mchid: c.mchid },
              client,
            ),
          ),
        );
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
        assert.equal(ok, 20);
        assert.equal(refused.length, 10);
        for (const e of refused) {
          assert.equal(e.status, 429);
          assert.equal(e.code, 'FREQUENCY_LIMIT_EXCEED');
        }
        const s = await client.request<{ distributed_coupons: number }>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
          stock_id: c.favorStockId,
          query: { stock_creator_mchid: c.mchid },
        });
        assert.equal(s.data.distributed_coupons, 20);
      } finally {
        await limited.close();
      }
    });
  });
}

test('a send that fails leaves no user registered; a send that succeeds registers the openid under its appid', async () => {
  const t = await startTestPlatform();
  try {
    const c = t.platform.credentials;
    const wxpay = sdkFor(c, { fetch: t.platform.fetch });
    const json = { stock_id: '1234567890', out_request_no: 'ghost-1', appid: c.appid, stock_creator_mchid: c.mchid };
    assert.equal(
      (await rejection(wxpay.request('POST', 'v3/marketing/favor/users/{openid}/coupons', { openid: 'o-ghost', json })))
        .code,
      'RESOURCE_NOT_EXISTS',
    );
    assert.equal((await t.admin('GET', '/users/o-ghost')).status, 404);
    await wxpay.request('POST', 'v3/marketing/favor/users/{openid}/coupons', {
      openid: 'o-ghost',
      json: { ...json, stock_id: c.favorStockId, out_request_no: 'ghost-2' },
    });
    assert.equal((await t.admin('GET', '/users/o-ghost')).data.appid, c.appid);
  } finally {
    await t.close();
  }
});
