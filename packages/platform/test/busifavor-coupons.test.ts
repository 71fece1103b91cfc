import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busifavorSendResult } from '@wxcoupon/sdk';
import { BUSIFAVOR_LIMITS, type BusifavorHarness, startBusifavor, unique } from './busifavor-helpers.js';
import { addMerchant, rejection, sdkFor } from './helpers/fixtures.js';

// 商家券 coupons through the SDK: send (B9), product-coupon send (B10), use (B12), list/get
// (B13/B14), associate (B15/B16), return (B17), deactivate (B18); the code-mode rules of §4.20,
// budgets, idempotency and the state machine of §4.22, with the family's error codes.

describe('商家券 coupons', () => {
  let h: BusifavorHarness;
  const nowIso = () => new Date().toISOString();

  before(async () => {
    h = await startBusifavor({ rateLimits: { ...BUSIFAVOR_LIMITS, 'busifavor.coupons.deactivate': 3 } });
  });
  after(() => h.close());

  const use = (code: string, extra: Record<string, unknown> = {}) =>
    h.wxpay.v3.marketing.busifavor.coupons.use.post({
      json: { coupon_code: code, appid: h.appid, use_time: nowIso(), use_request_no: unique('use'), ...extra },
    });

  describe('sending', () => {
    test('a send answers {send_coupon_result: {stock_id, coupon_code, out_request_no}} and a retry the same coupon', async () => {
      const stockId = await h.createStock();
      const json = { stock_id: stockId, openid: 'o-retry', appid: h.appid, out_request_no: unique('s') };
      const first = await h.wxpay.v3.marketing.busifavor.coupons.send.post({ json });
      const again = await h.wxpay.v3.marketing.busifavor.coupons.send.post({ json });
      assert.deepEqual(again.data, first.data);
      // The shape the official generated SDKs (wechatpay-go, wechatpay-java) decode.
      assert.deepEqual(Object.keys(first.data), ['send_coupon_result']);
      const result = busifavorSendResult(first.data);
      assert.deepEqual(Object.keys(result).sort(), ['coupon_code', 'out_request_no', 'stock_id']);
      assert.equal(result.stock_id, stockId);
      assert.equal(result.out_request_no, json.out_request_no);
      assert.match(result.coupon_code, /^\d{22}$/);
      const stock = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
      assert.equal(stock.data.send_count_information?.total_send_num, 1);
    });

    test('a reused out_request_no with another code is RESOURCE_ALREADY_EXISTS', async () => {
      const stockId = await h.createStock('MERCHANT_API');
      const no = unique('s');
      await h.send(stockId, 'o-reuse', { out_request_no: no, coupon_code: 'CODE-A' });
      const err = await rejection(h.send(stockId, 'o-reuse', { out_request_no: no, coupon_code: 'CODE-B' }));
      assert.equal(err.code, 'RESOURCE_ALREADY_EXISTS');
    });

    test('MERCHANT_API needs coupon_code (PARAM_ERROR) and a code is sent only once per stock', async () => {
      const stockId = await h.createStock('MERCHANT_API');
      const missing = await rejection(h.send(stockId, 'o-api'));
      assert.equal(missing.status, 400);
      assert.equal(missing.code, 'PARAM_ERROR');
      assert.equal(missing.detail?.field, '/coupon_code');
      assert.equal(await h.send(stockId, 'o-api', { coupon_code: 'MY-CODE-1' }), 'MY-CODE-1');
      const twice = await rejection(h.send(stockId, 'o-api2', { coupon_code: 'MY-CODE-1' }));
      assert.equal(twice.code, 'RESOURCE_ALREADY_EXISTS');
    });

    test('WECHATPAY_MODE and MERCHANT_UPLOAD refuse a coupon_code on coupons/send', async () => {
      for (const mode of ['WECHATPAY_MODE', 'MERCHANT_UPLOAD']) {
        const stockId = await h.createStock(mode);
        const err = await rejection(h.send(stockId, 'o-mode', { coupon_code: 'X1' }));
        assert.equal(err.status, 400);
        assert.equal(err.code, 'INVALID_REQUEST');
      }
    });

    test('an appid not bound to the caller is APPID_MCHID_NOT_MATCH', async () => {
      const stockId = await h.createStock();
      const other = await addMerchant(h.platform, h.admin, 'wx-appid-other');
      const err = await rejection(h.send(stockId, 'o-x', { appid: 'wx-appid-other' }));
      assert.equal(err.code, 'APPID_MCHID_NOT_MATCH');
      other.wxpay.close();
    });

    test('an openid known only under another appid is 404 USER_NOT_EXISTS when users are not registered on first use', async () => {
      const stockId = await h.createStock();
      const other = await addMerchant(h.platform, h.admin, 'wx-user-other');
      const made = await h.admin('POST', '/users', { appid: 'wx-user-other', openid: 'o-foreign-user' });
      assert.equal(made.status, 200);
      h.platform.context.autoRegisterUsers = false;
      try {
        const err = await rejection(h.send(stockId, 'o-foreign-user'));
        assert.equal(err.status, 404);
        assert.equal(err.code, 'USER_NOT_EXISTS');
      } finally {
        h.platform.context.autoRegisterUsers = true;
      }
      // Registered on first use, the same openid under the caller's appid is a user of its own.
      await h.send(stockId, 'o-foreign-user');
      const users = await h.platform.context.db
        .selectFrom('users')
        .selectAll()
        .where('openid', '=', 'o-foreign-user')
        .execute();
      assert.deepEqual(users.map((u) => u.appid).sort(), [h.appid, 'wx-user-other'].sort());
      other.wxpay.close();
    });

    test('an unknown stock is RESOURCE_NOT_EXISTS and another merchant’s stock is NOAUTH', async () => {
      const missing = await rejection(h.send('8888888888', 'o-x'));
      assert.equal(missing.status, 404);
      assert.equal(missing.code, 'RESOURCE_NOT_EXISTS');
      const stockId = await h.createStock();
      const other = await addMerchant(h.platform, h.admin, 'wx-noauth-other');
      const err = await rejection(
        other.wxpay.v3.marketing.busifavor.coupons.send.post({
          json: { stock_id: stockId, openid: 'o-noauth', appid: 'wx-noauth-other', out_request_no: unique('s') },
        }),
      );
      assert.equal(err.status, 403);
      assert.equal(err.code, 'NOAUTH');
      other.wxpay.close();
    });

    test('max_coupons_per_user is RULELIMIT; max_coupons and max_coupons_by_day are NOT_ENOUGH', async () => {
      const perUser = await h.createStock('WECHATPAY_MODE', { send: { max_coupons_per_user: 2 } });
      await h.send(perUser, 'o-limit');
      await h.send(perUser, 'o-limit');
      const third = await rejection(h.send(perUser, 'o-limit'));
      assert.equal(third.status, 403);
      assert.equal(third.code, 'RULELIMIT');

      const total = await h.createStock('WECHATPAY_MODE', { send: { max_coupons: 2 } });
      await h.send(total, 'o-t1');
      await h.send(total, 'o-t2');
      const over = await rejection(h.send(total, 'o-t3'));
      assert.equal(over.status, 403);
      assert.equal(over.code, 'NOT_ENOUGH');

      const daily = await h.createStock('WECHATPAY_MODE', { send: { max_coupons_by_day: 1 } });
      await h.send(daily, 'o-d1');
      const today = await rejection(h.send(daily, 'o-d2'));
      assert.equal(today.code, 'NOT_ENOUGH');
    });

    test('concurrent sends never exceed max_coupons', async () => {
      const stockId = await h.createStock('WECHATPAY_MODE', { send: { max_coupons: 7 } });
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => h.send(stockId, `o-race-${i}`)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 7);
      const stock = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
      assert.equal(stock.data.send_count_information?.total_send_num, 7);
    });

    test('a paused stock refuses to send, and prevent_api_abuse stops a suspicious account with RULELIMIT', async () => {
      const stockId = await h.createStock();
      assert.equal(
        (await h.admin('POST', `/busifavor/stocks/${stockId}/state`, { stock_state: 'PAUSED' })).status,
        200,
      );
      const paused = await rejection(h.send(stockId, 'o-paused'));
      assert.equal(paused.code, 'INVALID_REQUEST');

      const guarded = await h.createStock('WECHATPAY_MODE', { send: { prevent_api_abuse: true } });
      await h.admin('POST', '/users', { appid: h.appid, openid: 'o-abnormal', abnormal: true });
      const err = await rejection(h.send(guarded, 'o-abnormal'));
      assert.equal(err.code, 'RULELIMIT');
    });
  });

  describe('product coupons', () => {
    const sendProduct = (json: Record<string, unknown>) =>
      h.wxpay.v3.marketing.busifavor.productCoupons.send.post({
        json: { appid: h.appid, out_request_no: unique('p'), coupon_type: 'NORMAL', ...json } as never,
      });

    test('a stock without product information is refused; attaching it makes product-coupons/send work', async () => {
      const stockId = await h.createStock();
      const refused = await rejection(sendProduct({ stock_id: stockId, openid: 'o-p1' }));
      assert.equal(refused.code, 'INVALID_REQUEST');
      const attached = await h.admin('PUT', `/busifavor/stocks/${stockId}/product`, { product_id: 'SKU-1' });
      assert.equal(attached.status, 200);
      const sent = await sendProduct({ stock_id: stockId, openid: 'o-p1' });
      assert.match(sent.data.coupon_code, /^\d{22}$/);
      assert.equal(sent.data.stock_id, stockId);
    });

    test('MEMBER needs member_card_id, NORMAL accepts and ignores it, and coupon_type is required', async () => {
      const stockId = await h.createStock();
      await h.admin('PUT', `/busifavor/stocks/${stockId}/product`, { product_id: 'SKU-2' });
      const noCard = await rejection(sendProduct({ stock_id: stockId, openid: 'o-m', coupon_type: 'MEMBER' }));
      assert.equal(noCard.code, 'PARAM_ERROR');
      assert.equal(noCard.detail?.field, '/member_card_id');
      // The official page's own example sends NORMAL with a member_card_id (coupon-api.md §8.1).
      const extra = await sendProduct({ stock_id: stockId, openid: 'o-n', member_card_id: 'pbLatjvWOibDc5' });
      assert.equal(extra.status, 200);
      const noType = await rejection(sendProduct({ stock_id: stockId, openid: 'o-m', coupon_type: undefined }));
      assert.equal(noType.detail?.field, '/coupon_type');
      const member = await sendProduct({
        stock_id: stockId,
        openid: 'o-m',
        coupon_type: 'MEMBER',
        member_card_id: 'pbLatjvWOibDc5-TBnbUk1pD12o0',
      });
      assert.equal(member.status, 200);
    });

    test('the code is required for MERCHANT_API, forbidden for WECHATPAY_MODE and optional for MERCHANT_UPLOAD', async () => {
      const api = await h.createStock('MERCHANT_API');
      const wx = await h.createStock('WECHATPAY_MODE');
      const upload = await h.createStock('MERCHANT_UPLOAD');
      for (const s of [api, wx, upload]) await h.admin('PUT', `/busifavor/stocks/${s}/product`, { product_id: 'SKU' });
      assert.equal((await rejection(sendProduct({ stock_id: api, openid: 'o-c' }))).code, 'PARAM_ERROR');
      assert.equal(
        (await sendProduct({ stock_id: api, openid: 'o-c', coupon_code: 'API-CODE' })).data.coupon_code,
        'API-CODE',
      );
      assert.equal(
        (await rejection(sendProduct({ stock_id: wx, openid: 'o-c', coupon_code: 'X' }))).code,
        'INVALID_REQUEST',
      );
      await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.couponcodes.post({
        stock_id: upload,
        json: { coupon_code_list: ['U-1', 'U-2'], upload_request_no: unique('up') },
      });
      const chosen = await sendProduct({ stock_id: upload, openid: 'o-c', coupon_code: 'U-2' });
      assert.equal(chosen.data.coupon_code, 'U-2');
      const picked = await sendProduct({ stock_id: upload, openid: 'o-c2' });
      assert.equal(picked.data.coupon_code, 'U-1');
      const taken = await rejection(sendProduct({ stock_id: upload, openid: 'o-c3', coupon_code: 'U-2' }));
      assert.equal(taken.code, 'INVALID_REQUEST');
    });
  });

  describe('the coupon state machine', () => {
    test('use → USED; a second use by another request is RESOURCE_ALREADY_EXISTS; the same request replays', async () => {
      const stockId = await h.createStock();
      const code = await h.send(stockId, 'o-use');
      const no = unique('use');
      const first = await use(code, { use_request_no: no, openid: 'o-use' });
      assert.equal(first.data.stock_id, stockId);
      assert.equal(first.data.openid, 'o-use');
      const replay = await use(code, { use_request_no: no, openid: 'o-use' });
      assert.deepEqual(replay.data, first.data);
      const other = await rejection(use(code));
      assert.equal(other.status, 400);
      assert.equal(other.code, 'RESOURCE_ALREADY_EXISTS');
      const got = await h.wxpay.v3.marketing.busifavor.users._openid_.coupons._coupon_code_.appids._appid_.get({
        openid: 'o-use',
        coupon_code: code,
        appid: h.appid,
      });
      assert.equal(got.data.coupon_state, 'USED');
      assert.equal(got.data.use_request_no, no);
    });

    test('a coupon not yet effective is 403 RULELIMIT', async () => {
      const stockId = await h.createStock('WECHATPAY_MODE', {
        time: { available_day_after_receive: 3, wait_days_after_receive: 1 },
      });
      const code = await h.send(stockId, 'o-wait');
      const err = await rejection(use(code));
      assert.equal(err.status, 403);
      assert.equal(err.code, 'RULELIMIT');
    });

    test('outside the weekly or irregular usable windows a coupon is RULELIMIT, inside them it is used', async () => {
      const beijingWeekday = new Date(Date.now() + 8 * 3600_000).getUTCDay();
      const otherDay = (beijingWeekday + 3) % 7;
      const weekly = await h.createStock('WECHATPAY_MODE', { time: { available_week: { week_day: [otherDay] } } });
      const closed = await rejection(use(await h.send(weekly, 'o-week')));
      assert.equal(closed.code, 'RULELIMIT');
      const today = await h.createStock('WECHATPAY_MODE', { time: { available_week: { week_day: [beijingWeekday] } } });
      assert.equal((await use(await h.send(today, 'o-week'))).status, 200);
      const past = {
        begin_time: new Date(Date.now() - 7_200_000).toISOString(),
        end_time: new Date(Date.now() - 3_600_000).toISOString(),
      };
      const irregular = await h.createStock('WECHATPAY_MODE', { time: { irregulary_avaliable_time: [past] } });
      const code = await h.send(irregular, 'o-irregular');
      assert.equal((await rejection(use(code))).code, 'RULELIMIT');
      // The refused redemption changed nothing: the coupon is still SENDED.
      const view = await h.wxpay.v3.marketing.busifavor.users._openid_.coupons._coupon_code_.appids._appid_.get({
        openid: 'o-irregular',
        coupon_code: code,
        appid: h.appid,
      });
      assert.equal(view.data.coupon_state, 'SENDED');
    });

    test('MERCHANT_API and MERCHANT_UPLOAD coupons need stock_id to be used', async () => {
      const stockId = await h.createStock('MERCHANT_API');
      await h.send(stockId, 'o-sid', { coupon_code: 'SID-1' });
      const err = await rejection(use('SID-1'));
      assert.equal(err.code, 'PARAM_ERROR');
      assert.equal(err.detail?.field, '/stock_id');
      assert.equal((await use('SID-1', { stock_id: stockId })).status, 200);
    });

    test('return brings a USED coupon back to SENDED, and is refused for a coupon that is not USED', async () => {
      const stockId = await h.createStock();
      const code = await h.send(stockId, 'o-ret');
      const notUsed = await rejection(
        h.wxpay.v3.marketing.busifavor.coupons.return.post({
          json: { coupon_code: code, stock_id: stockId, return_request_no: unique('r') },
        }),
      );
      assert.equal(notUsed.code, 'INVALID_REQUEST');
      await use(code);
      const back = await h.wxpay.v3.marketing.busifavor.coupons.return.post({
        json: { coupon_code: code, stock_id: stockId, return_request_no: unique('r') },
      });
      assert.ok(back.data.wechatpay_return_time);
      assert.equal((await use(code)).status, 200);
    });

    test('deactivate is terminal: the coupon can no longer be used or deactivated again', async () => {
      const stockId = await h.createStock();
      const code = await h.send(stockId, 'o-deact');
      const json = {
        coupon_code: code,
        stock_id: stockId,
        deactivate_request_no: unique('d'),
        deactivate_reason: '测试',
      };
      const done = await h.wxpay.v3.marketing.busifavor.coupons.deactivate.post({ json });
      assert.ok(done.data.wechatpay_deactivate_time);
      assert.equal((await rejection(use(code))).code, 'INVALID_REQUEST');
      const again = await rejection(
        h.wxpay.v3.marketing.busifavor.coupons.deactivate.post({
          json: { ...json, deactivate_request_no: unique('d') },
        }),
      );
      assert.equal(again.code, 'INVALID_REQUEST');
    });

    test('a coupon the user deleted from 卡包 reads DELETED and can no longer be used', async () => {
      const stockId = await h.createStock();
      const code = await h.send(stockId, 'o-deleted');
      const deleted = await h.admin('POST', `/busifavor/stocks/${stockId}/coupons/${code}/delete`);
      assert.equal(deleted.status, 200, JSON.stringify(deleted.data));
      assert.equal(deleted.data.coupon_state, 'DELETED');
      assert.equal((await rejection(use(code))).code, 'INVALID_REQUEST');
      const again = await h.admin('POST', `/busifavor/stocks/${stockId}/coupons/${code}/delete`);
      assert.equal(again.data.code, 'INVALID_REQUEST');
    });

    test('associate links an order once, disassociate needs that order, neither changes the state', async () => {
      const stockId = await h.createStock();
      const code = await h.send(stockId, 'o-assoc');
      const coupons = h.wxpay.v3.marketing.busifavor.coupons;
      const linkNo = unique('a');
      const json = { coupon_code: code, stock_id: stockId, out_trade_no: 'ORDER-1', out_request_no: linkNo };
      const linked = await coupons.associate.post({ json });
      assert.ok(linked.data.wechatpay_associate_time);
      assert.deepEqual((await coupons.associate.post({ json })).data, linked.data);
      const second = await rejection(
        coupons.associate.post({ json: { ...json, out_trade_no: 'ORDER-2', out_request_no: unique('a') } }),
      );
      assert.equal(second.code, 'INVALID_REQUEST');
      const wrong = await rejection(
        coupons.disassociate.post({ json: { ...json, out_trade_no: 'ORDER-2', out_request_no: unique('a') } }),
      );
      assert.equal(wrong.code, 'INVALID_REQUEST');
      const view = await h.wxpay.v3.marketing.busifavor.users._openid_.coupons._coupon_code_.appids._appid_.get({
        openid: 'o-assoc',
        coupon_code: code,
        appid: h.appid,
      });
      assert.equal(view.data.associate_out_trade_no, 'ORDER-1');
      assert.equal(view.data.coupon_state, 'SENDED');
      const unlinked = await coupons.disassociate.post({ json: { ...json, out_request_no: unique('a') } });
      assert.ok(unlinked.data.wechatpay_disassociate_time);
    });

    test('the deactivate limit answers 429 FREQUENCY_LIMITED', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          h.wxpay.v3.marketing.busifavor.coupons.deactivate.post({
            json: { coupon_code: 'NONE', stock_id: '1', deactivate_request_no: unique('d') },
          }),
        ),
      );
      const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'OK'));
      assert.ok(codes.includes('FREQUENCY_LIMITED'), codes.join());
    });
  });

  describe('queries', () => {
    test('a user’s coupons are listed by creator with state filter and paging', async () => {
      const stockId = await h.createStock();
      const codes = [await h.send(stockId, 'o-list'), await h.send(stockId, 'o-list'), await h.send(stockId, 'o-list')];
      await use(codes[0] as string);
      const list = h.wxpay.v3.marketing.busifavor.users._openid_.coupons;
      const all = await list.get({
        openid: 'o-list',
        query: { appid: h.appid, creator_merchant: h.mchid, stock_id: stockId },
      });
      assert.equal(all.data.total_count, 3);
      const sended = await list.get({
        openid: 'o-list',
        query: { appid: h.appid, creator_merchant: h.mchid, coupon_state: 'SENDED', limit: 1, offset: 1 },
      });
      assert.equal(sended.data.total_count, 2);
      assert.equal(sended.data.data.length, 1);
      assert.equal(sended.data.data[0]?.coupon_state, 'SENDED');
      const noRole = await rejection(list.get({ openid: 'o-list', query: { appid: h.appid } }));
      assert.equal(noRole.code, 'PARAM_ERROR');
      const other = await rejection(
        list.get({ openid: 'o-list', query: { appid: h.appid, creator_merchant: '1900000001' } }),
      );
      assert.equal(other.code, 'NOAUTH');
    });

    test('one coupon reads back with its window, and an unknown code is RESOURCE_NOT_EXISTS', async () => {
      const stockId = await h.createStock('WECHATPAY_MODE', { time: { available_day_after_receive: 2 } });
      const code = await h.send(stockId, 'o-one');
      const get = h.wxpay.v3.marketing.busifavor.users._openid_.coupons._coupon_code_.appids._appid_.get;
      const { data } = await get({ openid: 'o-one', coupon_code: code, appid: h.appid });
      assert.equal(data.stock_id, stockId);
      assert.equal(data.coupon_state, 'SENDED');
      assert.equal(data.goods_name, '满10减1');
      const span = Date.parse(data.expire_time) - Date.parse(data.available_start_time);
      assert.ok(span > 86_400_000 && span <= 2 * 86_400_000, `${data.available_start_time} → ${data.expire_time}`);
      const err = await rejection(get({ openid: 'o-one', coupon_code: '0000', appid: h.appid }));
      assert.equal(err.code, 'RESOURCE_NOT_EXISTS');
    });
  });
});

// A private key the platform has never seen, for forged requests.
const strangerDir = mkdtempSync(join(tmpdir(), 'wxcoupon-stranger-'));
const strangerKeyFile = join(strangerDir, 'key.pem');
writeFileSync(
  strangerKeyFile,
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
);

describe('商家券 over time', () => {
  let h: BusifavorHarness;
  let offset = 0;

  before(async () => {
    h = await startBusifavor({ clock: () => Date.now() + offset });
  });
  after(async () => {
    await h.close();
    rmSync(strangerDir, { recursive: true, force: true });
  });

  test('a coupon past its expire_time reads EXPIRED and cannot be used, deactivated or associated', async () => {
    offset = 0;
    const stockId = await h.createStock('WECHATPAY_MODE', { time: { available_second_after_receive: 60 } });
    const code = await h.send(stockId, 'o-expiring');
    // Within the 300 s signature window, so the SDK's requests still verify.
    offset = 120_000;
    const view = await h.wxpay.v3.marketing.busifavor.users._openid_.coupons._coupon_code_.appids._appid_.get({
      openid: 'o-expiring',
      coupon_code: code,
      appid: h.appid,
    });
    assert.equal(view.data.coupon_state, 'EXPIRED');
    const coupons = h.wxpay.v3.marketing.busifavor.coupons;
    const used = await rejection(
      coupons.use.post({
        json: { coupon_code: code, appid: h.appid, use_time: new Date().toISOString(), use_request_no: unique('u') },
      }),
    );
    assert.equal(used.status, 403);
    assert.equal(used.code, 'RULELIMIT');
    const deactivated = await rejection(
      coupons.deactivate.post({ json: { coupon_code: code, stock_id: stockId, deactivate_request_no: unique('d') } }),
    );
    assert.equal(deactivated.code, 'RULELIMIT');
    const associated = await rejection(
      coupons.associate.post({
        json: { coupon_code: code, stock_id: stockId, out_trade_no: 'O-EXP', out_request_no: unique('a') },
      }),
    );
    assert.equal(associated.code, 'RULELIMIT');
    offset = 0;
  });

  test('a request signed with another key is 401 SIGN_ERROR and issues nothing', async () => {
    const stockId = await h.createStock();
    const stranger = sdkFor(
      { ...h.platform.credentials, privateKeyFile: strangerKeyFile },
      { fetch: h.platform.fetch },
    );
    try {
      const err = await rejection(
        stranger.v3.marketing.busifavor.coupons.send.post({
          json: { stock_id: stockId, openid: 'o-forged', appid: h.appid, out_request_no: unique('f') },
        }),
      );
      assert.equal(err.status, 401);
      assert.equal(err.code, 'SIGN_ERROR');
      const stock = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
      assert.equal(stock.data.send_count_information?.total_send_num, 0);
    } finally {
      stranger.close();
    }
  });
});
