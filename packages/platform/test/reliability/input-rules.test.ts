import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadPrivateKey } from '@wxcoupon/sdk/crypto';
import { busifavorStockBody } from '../busifavor-helpers.js';
import { stockBody } from '../helpers/fixtures.js';
import type { SignedClient } from '../helpers/signed-fetch.js';
import { testEngine } from '../helpers/test-database.js';
import { adminCall } from './helpers/admin.js';
import { type Cluster, startCluster } from './helpers/cluster.js';
import { type Sender, sendRaw } from './helpers/raw-send.js';
import { snapshot } from './helpers/snapshot.js';

// The input rules over HTTP, against an instance in its own process: what is refused says which field
// and why, in WeChat's wording, and every documented field is still accepted.

describe(`input rules on ${testEngine()}`, () => {
  let cluster: Cluster;
  let client: SignedClient;
  let sender: Sender;
  let mchid: string;
  let appid: string;

  before(async () => {
    cluster = await startCluster(1);
    const instance = cluster.instances[0];
    assert.ok(instance);
    client = cluster.client(instance);
    const creds = cluster.credentials;
    ({ mchid, appid } = creds);
    sender = {
      baseURL: instance.url,
      mchid,
      serial: creds.serial,
      privateKey: loadPrivateKey(readFileSync(creds.privateKeyFile)),
      platformSerial: creds.platformPublicKeyId,
    };
  });
  after(async () => {
    const stderr = cluster?.instances[0]?.stderr() ?? '';
    await cluster?.close();
    assert.doesNotMatch(stderr, /unexpected error/, 'no request was answered 500');
  });

  /** Every field the 商家券 pages document, each sub-object filled in. */
  function everyDocumentedField(): Record<string, unknown> {
    const now = Date.now();
    const body = busifavorStockBody(mchid, 'WECHATPAY_MODE');
    return {
      ...body,
      coupon_use_rule: {
        coupon_available_time: {
          available_begin_time: new Date(now - 60_000).toISOString(),
          available_end_time: new Date(now + 30 * 86_400_000).toISOString(),
          available_day_after_receive: 3,
          wait_days_after_receive: 1,
          available_week: { week_day: [1, 2, 3], available_day_time: [{ begin_time: 3600, end_time: 7200 }] },
          irregulary_avaliable_time: [
            { begin_time: new Date(now).toISOString(), end_time: new Date(now + 86_400_000).toISOString() },
          ],
        },
        fixed_normal_coupon: { discount_amount: 100, transaction_minimum: 1000 },
        use_method: 'MINI_PROGRAMS',
        mini_programs_appid: appid,
        mini_programs_path: '/pages/index',
      },
      stock_send_rule: {
        max_coupons: 100,
        max_coupons_per_user: 5,
        max_coupons_by_day: 50,
        max_amount: 10_000,
        max_amount_by_day: 5_000,
        natural_person_limit: false,
        prevent_api_abuse: false,
        transferable: false,
        shareable: false,
      },
      custom_entrance: {
        mini_programs_info: {
          mini_programs_appid: appid,
          mini_programs_path: '/pages/coupon',
          entrance_words: '去使用',
          guiding_words: '点击使用',
        },
        appid,
        hall_id: 'hall-1',
        store_id: 'store-1',
        code_display_mode: 'QRCODE',
      },
      display_pattern_info: {
        description: '使用须知：\n1. 每单限用一张\n2. 不找零',
        merchant_logo_url: 'https://example.com/logo.png',
        merchant_name: '测试商户',
        background_color: 'Color020',
        coupon_image_url: 'https://example.com/coupon.png',
        finder_info: {
          finder_id: 'sph-1',
          finder_video_id: 'video-1',
          finder_video_cover_image_url: 'https://example.com/cover.png',
        },
      },
      notify_config: { notify_appid: appid },
      subsidy: false,
    };
  }

  test('a 商家券 stock with every documented field is accepted, shown back, and modifiable', async () => {
    const body = everyDocumentedField();
    const created = await client.post('/v3/marketing/busifavor/stocks', body);
    assert.equal(created.status, 200, created.text);
    const stockId = created.data.stock_id as string;
    const shown = await client.get(`/v3/marketing/busifavor/stocks/${stockId}`);
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(shown.data.stock_send_rule, body.stock_send_rule);
    assert.deepEqual(shown.data.custom_entrance, body.custom_entrance);
    assert.deepEqual(shown.data.display_pattern_info, body.display_pattern_info);

    const modified = await client.request(
      'PATCH',
      `/v3/marketing/busifavor/stocks/${stockId}`,
      JSON.stringify({
        out_request_no: `modify-${stockId}`,
        custom_entrance: { appid, hall_id: 'hall-2', code_display_mode: 'BARCODE' },
        comment: '改',
        goods_name: '满20减2',
        display_pattern_info: { description: '新须知', background_color: 'Color030' },
        coupon_use_rule: { use_method: 'OFF_LINE' },
        stock_send_rule: { prevent_api_abuse: true },
        notify_config: { notify_appid: appid },
        subsidy: true,
      }),
    );
    assert.equal(modified.status, 204, modified.text);

    const budget = await client.request(
      'PATCH',
      `/v3/marketing/busifavor/stocks/${stockId}/budget`,
      JSON.stringify({
        target_max_coupons: 200,
        current_max_coupons: 100,
        current_max_coupons_by_day: 50,
        modify_budget_request_no: `budget-${stockId}`,
      }),
    );
    assert.equal(budget.status, 200, budget.text);
    assert.equal(budget.data.max_coupons, 200);
  });

  test('a 代金券 stock with the documented fix_available_time and unavailable_items is accepted', async () => {
    const body = stockBody(mchid, { available_begin_time: new Date(Date.now() + 60_000).toISOString() });
    const rule = body.coupon_use_rule as Record<string, unknown>;
    body.coupon_use_rule = {
      ...rule,
      coupon_available_time: { fix_available_time: { available_week_day: [1, 5], begin_time: 0, end_time: 3600 } },
      unavailable_items: ['sku-1'],
    };
    body.pattern_info = { description: '说明\n第二行', merchant_name: '测试' };
    const created = await client.post('/v3/marketing/favor/coupon-stocks', body);
    assert.equal(created.status, 200, created.text);
  });

  test('an unknown field is PARAM_ERROR naming it, before anything is stored', async () => {
    const state = await snapshot(cluster.db());
    const body = everyDocumentedField();
    const rule = body.stock_send_rule as Record<string, unknown>;
    const refused = await client.post('/v3/marketing/busifavor/stocks', {
      ...body,
      stock_send_rule: { ...rule, padding: 'p'.repeat(900_000) },
    });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.data.code, 'PARAM_ERROR');
    assert.equal(
      refused.data.message,
      '输入源“/body/stock_send_rule/padding”映射到字段“padding”字段定义规则校验失败,此字段未定义',
    );
    assert.equal(refused.data.detail.location, 'body');
    assert.equal(refused.data.detail.field, '/stock_send_rule/padding');
    assert.match(refused.data.detail.value, /^p{256}…$/);
    assert.deepEqual(await snapshot(cluster.db()), state);
  });

  test('nesting deeper than the documented bodies is PARAM_ERROR at the first level too deep, never a 500', async () => {
    const body = JSON.stringify(everyDocumentedField()).replace(
      '"max_coupons":100',
      `"max_coupons":100,"x":${'['.repeat(3000)}${']'.repeat(3000)}`,
    );
    const refused = await client.post('/v3/marketing/busifavor/stocks', body);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.data.code, 'PARAM_ERROR');
    assert.equal(refused.data.detail.location, 'body');
    assert.equal(refused.data.detail.field, '/stock_send_rule/x/0/0/0/0/0/0');
    assert.match(
      refused.data.message,
      /^输入源“\/body\/stock_send_rule\/x\/0\/0\/0\/0\/0\/0”.*嵌套深度规则校验失败,嵌套不得超过8层$/,
    );
  });

  test('a NUL in a query value or a body identifier is PARAM_ERROR with its location', async () => {
    const query = await client.get(`/v3/marketing/favor/users/o-rules/coupons?appid=a%00b`);
    assert.equal(query.status, 400, query.text);
    assert.equal(query.data.code, 'PARAM_ERROR');
    assert.equal(query.data.detail.location, 'query');
    assert.equal(query.data.detail.value, 'a\u0000b');
    assert.match(query.data.message, /^输入源“\/query\/appid”映射到字段“公众账号ID”字符规则校验失败/);
    const body = await client.post('/v3/marketing/busifavor/coupons/send', {
      openid: 'o-rules',
      appid: `${appid}\u0000`,
      stock_id: '1',
      out_request_no: 'nul-1',
    });
    assert.equal(body.status, 400, body.text);
    assert.equal(body.data.detail.field, '/appid');
  });

  test('a 商家券 openid with characters outside the favor rule gets no coupon and no user', async () => {
    const created = await client.post('/v3/marketing/busifavor/stocks', busifavorStockBody(mchid, 'WECHATPAY_MODE'));
    assert.equal(created.status, 200, created.text);
    const state = await snapshot(cluster.db());
    for (const openid of ['o\u200f', '../../etc/passwd', 'o x', 'o\r\n', 'o\ud800']) {
      const sent = await client.post('/v3/marketing/busifavor/coupons/send', {
        openid,
        appid,
        stock_id: created.data.stock_id,
        out_request_no: `odd-${Buffer.from(openid).toString('hex')}`,
      });
      assert.equal(sent.status, 400, `${JSON.stringify(openid)}: ${sent.text}`);
      assert.equal(sent.data.detail.field, '/openid');
    }
    assert.deepEqual(await snapshot(cluster.db()), state);
  });

  test('the admin API holds users to the same openid rule and refuses NUL in any path parameter', async () => {
    const instance = cluster.instances[0];
    assert.ok(instance);
    const token = cluster.adminToken;
    const user = await adminCall(instance, token, 'POST', '/users', { appid, openid: '../../etc/passwd' });
    assert.equal(user.status, 400);
    assert.equal(user.data.detail.field, '/openid');
    const extra = await adminCall(instance, token, 'POST', '/users', { appid, openid: 'o-admin', role: 'x' });
    assert.equal(extra.status, 400);
    assert.equal(extra.data.detail.field, '/role');
    // Path parameters the admin routes pass on unchecked: the last guard before the database refuses them.
    const lookedUp = await adminCall(instance, token, 'GET', '/users/o%00x');
    assert.equal(lookedUp.status, 400, JSON.stringify(lookedUp.data));
    assert.equal(lookedUp.data.code, 'PARAM_ERROR');
    const notification = await adminCall(instance, token, 'GET', '/notifications/n%00x');
    assert.equal(notification.status, 400, JSON.stringify(notification.data));
  });

  test('Authorization parameters separated by a comma and spaces are accepted', async () => {
    const got = await sendRaw(sender, {
      kind: 'comma and spaces',
      method: 'GET',
      path: `/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${mchid}`,
      body: '',
      tweak: { separator: ' , ' },
      expect: { status: 200, code: undefined },
    });
    assert.equal(got.status, 200);
  });

  test('a request-target is verified as sent, not as the URL parser rewrites it', async () => {
    // `{` in a path is signed and sent as is; the URL parser would re-encode it as %7B. The signature
    // verifies, and the openid is then refused for its characters.
    const got = await sendRaw(sender, {
      kind: 'raw target',
      method: 'GET',
      path: `/v3/marketing/busifavor/users/o{x}/coupons?appid=${appid}`,
      body: '',
      expect: { status: 400, code: 'PARAM_ERROR' },
    });
    assert.equal(got.status, 400);
    assert.equal(got.code, 'PARAM_ERROR');
  });
});
