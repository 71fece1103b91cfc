import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { beijingDay } from '../src/clock.js';
import { type BusifavorHarness, startBusifavor, unique } from './busifavor-helpers.js';
import { rejection, stockBody } from './helpers/fixtures.js';
import { startTestPlatform } from './helpers/platform.js';
import { eventually, FAST_DELIVERY, type Receiver, startReceiver } from './notify-helpers.js';

// The test clock (admin API /admin/clock): every business rule follows the moved clock (stock windows,
// auto-stop, Beijing-day budgets, coupon expiry, use-flow availability, the notification schedule),
// while the transport (signatures, Wechatpay-Timestamp) stays on real time.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

describe('the test clock', () => {
  let h: BusifavorHarness;
  let receiver: Receiver;

  before(async () => {
    h = await startBusifavor();
    receiver = await startReceiver();
  });
  after(async () => {
    h.wxpay.close();
    await h.close();
    await receiver.close();
  });
  // Each test starts on real time; what it moves it moves from there.
  beforeEach(async () => {
    assert.equal((await h.admin('POST', '/clock/resume')).status, 200);
  });

  const clockNow = async (): Promise<number> => (await h.admin('GET', '/clock')).data.now_ms;
  const advance = (by: string) => h.admin('POST', '/clock/advance', { by });

  /** A started 代金券 stock whose window is [begin, end] on the platform clock. */
  async function favorStock(begin: number, end: number, rule: Record<string, unknown> = {}): Promise<string> {
    const { data } = await h.wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
      json: stockBody(h.mchid, { available_begin_time: iso(begin), available_end_time: iso(end) }, rule),
    });
    await h.wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
      stock_id: data.stock_id,
      json: { stock_creator_mchid: h.mchid },
    });
    return data.stock_id;
  }
  const favorSend = (stockId: string, openid: string) =>
    h.wxpay.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
      openid,
      json: { stock_id: stockId, out_request_no: unique('fsend'), appid: h.appid, stock_creator_mchid: h.mchid },
    });
  const favorCoupon = (openid: string, couponId: string) =>
    h.wxpay.request<Record<string, unknown>>('GET', 'v3/marketing/favor/users/{openid}/coupons/{coupon_id}', {
      openid,
      coupon_id: couponId,
      query: { appid: h.appid },
    });
  const favorStockView = (stockId: string) =>
    h.wxpay.request<Record<string, unknown>>('GET', 'v3/marketing/favor/stocks/{stock_id}', {
      stock_id: stockId,
      query: { stock_creator_mchid: h.mchid },
    });

  test('the admin API shows, advances, sets and resumes the clock, and refuses moves it cannot make', async () => {
    const shown = await h.admin('GET', '/clock');
    assert.equal(shown.status, 200);
    assert.deepEqual(Object.keys(shown.data).sort(), ['now', 'now_ms', 'offset_seconds', 'real_now']);
    assert.equal(shown.data.offset_seconds, 0);
    assert.match(shown.data.now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);

    const moved = await advance('1d1h');
    assert.equal(moved.status, 200);
    assert.equal(moved.data.offset_seconds, 25 * 3600);
    assert.ok(Math.abs(moved.data.now_ms - (Date.now() + 25 * HOUR)) < 60_000);
    assert.equal(Date.parse(moved.data.real_now) <= Date.now(), true);
    assert.equal((await advance('30m')).data.offset_seconds, 25 * 3600 + 1800);

    const target = `${beijingDay(Date.now() + 40 * DAY)}T00:00:00+08:00`;
    const set = await h.admin('POST', '/clock/set', { time: target });
    assert.equal(set.status, 200);
    assert.ok(Date.parse(set.data.now) - Date.parse(target) < 60_000);
    // Backwards is allowed, down to a year before the real time.
    const back = await h.admin('POST', '/clock/set', { time: iso(Date.now() - 30 * DAY) });
    assert.equal(back.status, 200);
    assert.ok(back.data.offset_seconds < -29 * 86_400);

    for (const [path, body] of [
      ['/clock/set', { time: 'tomorrow' }],
      ['/clock/set', { time: '2026-12-12T00:00:00' }],
      ['/clock/set', { time: iso(Date.now() - 400 * DAY) }],
      ['/clock/set', {}],
      ['/clock/advance', { by: '-1h' }],
      ['/clock/advance', { by: '0s' }],
      ['/clock/advance', { by: '2h1d' }],
      ['/clock/advance', { by: '25' }],
      ['/clock/advance', { by: 3600 }],
      ['/clock/advance', { by: '1h', extra: true }],
    ] as const) {
      const refused = await h.admin('POST', path, body);
      assert.equal(refused.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(refused.data.code, 'PARAM_ERROR');
    }
    assert.ok((await clockNow()) < Date.now() - 29 * DAY, 'a refused move changes nothing');

    const resumed = await h.admin('POST', '/clock/resume');
    assert.equal(resumed.data.offset_seconds, 0);
    assert.ok(Math.abs(resumed.data.now_ms - Date.now()) < 60_000);
  });

  test('代金券: a stock that begins tomorrow sends once the clock reaches it, with create times on the clock', async () => {
    const now = await clockNow();
    const stockId = await favorStock(now + DAY, now + 3 * DAY);
    const early = await rejection(favorSend(stockId, 'o-clock-begin'));
    assert.equal(early.code, 'INVALID_REQUEST');

    assert.equal((await advance('1d1m')).status, 200);
    const sent = await favorSend(stockId, 'o-clock-begin');
    assert.equal(sent.status, 200);
    const coupon = await favorCoupon('o-clock-begin', sent.data.coupon_id);
    const created = Date.parse(coupon.data.create_time as string);
    assert.ok(created >= now + DAY, `create_time ${coupon.data.create_time} follows the moved clock`);
    assert.equal(coupon.data.status, 'SENDED');
  });

  test('代金券: past its end a stock reads stoped, its coupons EXPIRED, sends are refused; its use-flow opens 10 h later', async () => {
    const now = await clockNow();
    const end = now + HOUR;
    const stockId = await favorStock(now, end);
    const sent = await favorSend(stockId, 'o-clock-end');
    const flow = () =>
      h.wxpay.request<{ url: string }>('GET', 'v3/marketing/favor/stocks/{stock_id}/use-flow', { stock_id: stockId });
    assert.equal((await rejection(flow())).code, 'INVALID_REQUEST');

    assert.equal((await advance('2h')).status, 200);
    const stock = await favorStockView(stockId);
    assert.equal(stock.data.status, 'stoped');
    assert.equal(Date.parse(stock.data.stop_time as string), Math.floor(end / 1000) * 1000);
    assert.equal((await favorCoupon('o-clock-end', sent.data.coupon_id)).data.status, 'EXPIRED');
    const late = await rejection(favorSend(stockId, 'o-clock-end-2'));
    assert.equal(late.code, 'INVALID_REQUEST');
    // The use-flow is available 10 h after the end: not at 2 h, yes at 11 h.
    assert.match((await rejection(flow())).message, /10小时/);
    assert.equal((await advance('9h')).status, 200);
    const opened = await flow();
    assert.equal(opened.status, 200);
    assert.match(opened.data.url, /use-flow/);
  });

  test('商家券: past its end a stock reads STOPED and its unused coupons EXPIRED, which cannot be used', async () => {
    const now = await clockNow();
    const stockId = await h.createStock('WECHATPAY_MODE', {
      time: { available_begin_time: iso(now - 60_000), available_end_time: iso(now + HOUR) },
    });
    const code = await h.send(stockId, 'o-clock-busi');
    const view = () =>
      h.wxpay.v3.marketing.busifavor.users._openid_.coupons._coupon_code_.appids._appid_.get({
        openid: 'o-clock-busi',
        coupon_code: code,
        appid: h.appid,
      });
    assert.equal((await view()).data.coupon_state, 'SENDED');

    assert.equal((await advance('1h1m')).status, 200);
    assert.equal((await view()).data.coupon_state, 'EXPIRED');
    const stock = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
    assert.equal(stock.data.stock_state, 'STOPED');
    const used = await rejection(
      h.wxpay.v3.marketing.busifavor.coupons.use.post({
        json: { coupon_code: code, appid: h.appid, use_time: iso(await clockNow()), use_request_no: unique('use') },
      }),
    );
    assert.equal(used.code, 'RULELIMIT');
    const sendLate = await rejection(h.send(stockId, 'o-clock-busi-2'));
    assert.equal(sendLate.code, 'INVALID_REQUEST');
  });

  test('day budgets are per Beijing day on the moved clock: a send past midnight opens a new day', async () => {
    // Two minutes before a Beijing midnight a couple of days ahead.
    const day = beijingDay(Date.now() + 2 * DAY);
    assert.equal((await h.admin('POST', '/clock/set', { time: `${day}T23:58:00+08:00` })).status, 200);
    const now = await clockNow();
    const favor = await favorStock(now, now + 5 * DAY, { max_coupons: 10, max_amount_by_day: 200 });
    const busi = await h.createStock('WECHATPAY_MODE', {
      time: { available_begin_time: iso(now - 60_000), available_end_time: iso(now + 5 * DAY) },
      send: { max_coupons_by_day: 1 },
    });
    await favorSend(favor, 'o-day-a');
    await favorSend(favor, 'o-day-b');
    await h.send(busi, 'o-day-a');
    assert.equal((await rejection(favorSend(favor, 'o-day-c'))).code, 'NOT_ENOUGH');
    assert.equal((await rejection(h.send(busi, 'o-day-b'))).code, 'NOT_ENOUGH');
    assert.equal(beijingDay(await clockNow()), day, 'still the same Beijing day');

    assert.equal((await advance('3m')).status, 200);
    assert.notEqual(beijingDay(await clockNow()), day);
    assert.equal((await favorSend(favor, 'o-day-c')).status, 200);
    assert.match(await h.send(busi, 'o-day-b'), /\S/);
    assert.equal((await rejection(h.send(busi, 'o-day-c'))).code, 'NOT_ENOUGH', 'the new day has its own budget');
  });

  test('a notification whose next attempt the clock passes is attempted before the advance answers', async () => {
    // One retry, an hour after the first attempt: only a moved clock brings it within the test.
    const settings = await h.admin('PUT', '/notifications/settings', { ...FAST_DELIVERY, retry_delays_ms: [HOUR] });
    assert.equal(settings.status, 200);
    await h.wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: `${receiver.url}/clock-retry` } });
    receiver.plan.set('/clock-retry', [500]);
    const arrivals = () => receiver.received.filter((r) => r.path === '/clock-retry');
    const stockId = await h.createStock();
    await h.send(stockId, 'o-clock-notify');
    const pending = await eventually(async () => {
      const list = (await h.admin('GET', '/notifications?status=PENDING&event_type=COUPON.SEND')).data.data;
      return list.find(
        (n: { attempts: number; notify_url: string }) => n.notify_url.endsWith('/clock-retry') && n.attempts === 1,
      );
    });
    assert.equal(pending.attempts, 1);
    assert.equal(arrivals().length, 1);
    const due = Date.parse(pending.next_attempt_time);
    assert.ok(due - (await clockNow()) > 50 * 60_000, 'the retry is due in about an hour');

    const moved = await advance('61m');
    assert.equal(moved.status, 200);
    // Already there when the advance answers: no waiting for the worker's next poll.
    assert.equal(arrivals().length, 2);
    const delivered = (await h.admin('GET', `/notifications/${pending.id}`)).data;
    assert.equal(delivered.status, 'DELIVERED');
    assert.equal(delivered.attempts, 2);
    const retried = delivered.attempt_log[1];
    assert.ok(Date.parse(retried.time) >= due, 'the attempt is timed on the platform clock');
    // The signature timestamp is real time, so the merchant's SDK accepts it.
    const ts = Number(arrivals()[1]?.headers['wechatpay-timestamp']);
    assert.ok(Math.abs(ts - Date.now() / 1000) < 300, `Wechatpay-Timestamp ${ts} is real time`);
    await h.admin('PUT', '/notifications/settings', FAST_DELIVERY);
  });

  test('the signature window stays on real time: after a 25 h advance the SDK is accepted and a request signed at the moved time is not', async () => {
    assert.equal((await advance('25h')).status, 200);
    // The SDK signs with real time and checks the answer's Wechatpay-Timestamp against real time.
    const stockId = await h.createStock();
    const answer = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
    assert.equal(answer.status, 200);
    const ts = Number((answer.headers as Record<string, string>)['wechatpay-timestamp']);
    assert.ok(Math.abs(ts - Date.now() / 1000) < 300, `answer Wechatpay-Timestamp ${ts} is real time`);
    const moved = String(Math.floor((await clockNow()) / 1000));
    const skewed = await h.client.request('GET', `/v3/marketing/busifavor/stocks/${stockId}`, '', { timestamp: moved });
    assert.equal(skewed.status, 401);
    assert.equal(skewed.data.code, 'SIGN_ERROR');
  });
});

describe('the test clock across a restart', () => {
  test('the offset is kept in the database and holds after the platform restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-clock-'));
    try {
      const first = await startTestPlatform({ dataDir });
      const moved = await first.admin('POST', '/clock/advance', { by: '3d' });
      await first.close();
      const second = await startTestPlatform({ dataDir });
      try {
        const shown = (await second.admin('GET', '/clock')).data;
        assert.equal(shown.offset_seconds, moved.data.offset_seconds);
        assert.equal(shown.offset_seconds, 3 * 86_400);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
