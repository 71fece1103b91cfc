import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadPrivateKey } from '@wxcoupon/sdk/crypto';
import { stockBody } from '../helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import type { SignedClient, SignedResponse } from '../helpers/signed-fetch.js';
import { assertRow } from './seed-text.js';

// Seed page 发放代金券API (POST /v3/marketing/favor/users/{openid}/coupons), row by row: its request
// table, its response table and its error table (the 代金券 family's shared table, so its callback,
// query and lifecycle rows are produced by the sibling APIs). Expected values are the seed's text.

const PATH = (openid: string) => `/v3/marketing/favor/users/${openid}/coupons`;

// 错误码 table of the seed page, as printed there (typesetting spaces included).
const ROWS = {
  callbackUrl: { status: 400, code: 'PARAM_ERROR', text: '回调 url 不能为空' },
  callbackMchid: { status: 400, code: 'PARAM_ERROR', text: '回调商户不能为空' },
  couponId: { status: 400, code: 'PARAM_ERROR', text: '券 id 必填' },
  appid: { status: 400, code: 'PARAM_ERROR', text: 'appid 必填' },
  openid: { status: 400, code: 'PARAM_ERROR', text: 'openid 必填' },
  pageSize: { status: 400, code: 'PARAM_ERROR', text: '页大小超过阈值' },
  timeFormat: { status: 400, code: 'PARAM_ERROR', text: '输入时间格式错误' },
  stockId: { status: 400, code: 'PARAM_ERROR', text: '批次号必填' },
  mchid: { status: 400, code: 'PARAM_ERROR', text: '商户号必填' },
  stockState: { status: 400, code: 'PARAM_ERROR', text: '非法的批次状态' },
  mchNotExists: { status: 400, code: 'MCH_NOT_EXISTS', text: '商户号不合法' },
  openidAppid: { status: 400, code: 'INVALID_REQUEST', text: 'openid 与 appID 不匹配' },
  notActive: { status: 400, code: 'INVALID_REQUEST', text: '活动已结束或未激活' },
  illegalMchid: { status: 400, code: 'INVALID_REQUEST', text: '非法的商户号' },
  appidMchid: { status: 400, code: 'APPID_MCHID_NOT_MATCH', text: '商户号与 appid 不匹配' },
  abnormal: { status: 403, code: 'USER_ACCOUNT_ABNORMAL', text: '用户非法' },
  notEnough: { status: 403, code: 'NOT_ENOUGH', text: '批次预算不足' },
  noPermission: { status: 403, code: 'REQUEST_BLOCKED', text: '调用商户无权限' },
  noRightToSend: { status: 403, code: 'REQUEST_BLOCKED', text: '商户无权发券' },
  noCrossMerchant: { status: 403, code: 'REQUEST_BLOCKED', text: '批次不支持跨商户发券' },
  userLimited: { status: 403, code: 'REQUEST_BLOCKED', text: '用户被限领拦截' },
  stockMissing: { status: 404, code: 'RESOURCE_NOT_EXISTS', text: '批次不存在' },
  rateLimited: { status: 429, code: 'FREQUENCY_LIMIT_EXCEED', text: '接口限频' },
} as const;

/** A fetch that sends every request with another Content-Type. */
function withType(fetch: (req: Request) => Promise<Response>, type: string) {
  return (req: Request) => {
    const headers = new Headers(req.headers);
    headers.set('content-type', type);
    return fetch(new Request(req, { headers }));
  };
}

/** A fetch that sends every request with `Accept-Language` (none when undefined). */
function withLanguage(fetch: (req: Request) => Promise<Response>, language: string | undefined) {
  return (req: Request) => {
    const headers = new Headers(req.headers);
    if (language !== undefined) headers.set('accept-language', language);
    return fetch(new Request(req, { headers }));
  };
}

const row = (res: SignedResponse, r: (typeof ROWS)[keyof typeof ROWS]) =>
  assertRow({ status: res.status, code: res.data?.code, message: res.data?.message }, r);

describe('fidelity: 发放代金券API (seed page)', () => {
  let t: TestPlatform;
  let client: SignedClient;
  let mchid: string;
  let appid: string;
  let seq = 0;

  before(async () => {
    t = await startTestPlatform({ rateLimits: { 'favor.coupons.send': 100_000 } });
    client = t.client;
    mchid = t.platform.credentials.mchid;
    appid = t.platform.credentials.appid;
  });
  after(() => t.close());

  async function stock(rule: Record<string, unknown> = {}, start = true): Promise<string> {
    const begin = { available_begin_time: new Date().toISOString() };
    const created = await client.post('/v3/marketing/favor/coupon-stocks', stockBody(mchid, begin, rule));
    assert.equal(created.status, 200, created.text);
    const id = created.data.stock_id as string;
    if (start) {
      const started = await client.post(`/v3/marketing/favor/stocks/${id}/start`, { stock_creator_mchid: mchid });
      assert.equal(started.status, 200, started.text);
    }
    return id;
  }

  const body = (stockId: string, over: Record<string, unknown> = {}) =>
    JSON.parse(
      JSON.stringify({
        stock_id: stockId,
        out_request_no: `fid${Date.now()}${++seq}`,
        appid,
        stock_creator_mchid: mchid,
        ...over,
      }),
    );

  async function otherMerchant(): Promise<{ mchid: string; client: SignedClient }> {
    const m = await t.admin('POST', '/merchants', {});
    await t.admin('POST', `/merchants/${m.data.mchid}/appids`, { appid });
    return {
      mchid: m.data.mchid,
      client: client.with({
        mchid: m.data.mchid,
        serial: m.data.serial,
        privateKey: loadPrivateKey(m.data.private_key),
      }),
    };
  }

  describe('request table', () => {
    test('the seed request example (coupon_value 100, coupon_minimum 100) is issued on a 指定面额 stock', async () => {
      const id = await stock();
      const seed = { coupon_value: 100, coupon_minimum: 100 };
      // Without the setting the request table's "其他场景不需要填" holds: refused, naming the field.
      const refused = await client.post(PATH('2323dfsdf342342'), body(id, seed));
      assert.equal(refused.status, 400);
      assert.equal(refused.data.code, 'PARAM_ERROR');
      assert.equal(refused.data.detail.field, '/coupon_value');
      assert.equal((await t.admin('PUT', `/favor/stocks/${id}/specified-value`, { enabled: true })).status, 200);
      const sent = await client.post(PATH('2323dfsdf342342'), body(id, { coupon_value: 50, coupon_minimum: 100 }));
      assert.equal(sent.status, 200, sent.text);
      const coupon = await client.get(
        `/v3/marketing/favor/users/2323dfsdf342342/coupons/${sent.data.coupon_id}?appid=${appid}`,
      );
      assert.deepEqual(coupon.data.normal_coupon_information, { coupon_amount: 50, transaction_minimum: 100 });
      assert.equal((await client.post(PATH('2323dfsdf342342'), body(id, seed))).status, 200);
      // On such a stock the value is required, and the threshold may not be below it.
      const noValue = await client.post(PATH('o-value'), body(id));
      assert.equal(noValue.data.code, 'PARAM_ERROR');
      assert.equal(noValue.data.detail.field, '/coupon_value');
      const low = await client.post(PATH('o-value'), body(id, { coupon_value: 100, coupon_minimum: 99 }));
      assert.equal(low.data.detail.field, '/coupon_minimum');
    });

    test('批次号 stock_id string(20) 是: missing is 批次号必填; 21 characters is refused naming the field', async () => {
      const id = await stock();
      row(await client.post(PATH('o-req'), body(id, { stock_id: undefined })), ROWS.stockId);
      row(await client.post(PATH('o-req'), body(id, { stock_id: '' })), ROWS.stockId);
      const long = await client.post(PATH('o-req'), body(id, { stock_id: '1'.repeat(21) }));
      assert.equal(long.status, 400);
      assert.equal(long.data.code, 'PARAM_ERROR');
      assert.match(long.data.message, /^输入源“\/body\/stock_id”映射到字段“批次号”长度规则校验失败/);
      assert.deepEqual(long.data.detail, { field: '/stock_id', location: 'body', value: '1'.repeat(21) });
    });

    test('用户 openid openid string(128) 是 path: empty is openid必填 at uri_template; 129 characters is refused', async () => {
      const id = await stock();
      const empty = await client.post('/v3/marketing/favor/users//coupons', body(id));
      row(empty, ROWS.openid);
      assert.equal(empty.data.detail.location, 'uri_template');
      const long = await client.post(PATH('o'.repeat(129)), body(id));
      assert.equal(long.status, 400);
      assert.equal(long.data.detail.location, 'uri_template');
      assert.match(long.data.message, /^输入源“\/uri_template\/openid”/);
    });

    test('商户单据号 out_request_no string(128) 是: required, at most 128, letters digits | * _ -', async () => {
      const id = await stock();
      for (const bad of [undefined, 'x'.repeat(129), 'has space']) {
        const res = await client.post(PATH('o-req'), body(id, { out_request_no: bad }));
        assert.equal(res.status, 400, String(bad));
        assert.equal(res.data.code, 'PARAM_ERROR');
        assert.match(res.data.message, /^输入源“\/body\/out_request_no”映射到字段“商户单据号”/);
      }
      assert.equal((await client.post(PATH('o-req'), body(id, { out_request_no: `a|b*c_d-${seq}` }))).status, 200);
      assert.equal((await client.post(PATH('o-req2'), body(id, { out_request_no: 'x'.repeat(128) }))).status, 200);
    });

    test('公众账号 ID appid string(128) 是: missing is appid必填', async () => {
      const id = await stock();
      row(await client.post(PATH('o-req'), body(id, { appid: undefined })), ROWS.appid);
      const long = await client.post(PATH('o-req'), body(id, { appid: 'w'.repeat(129) }));
      assert.equal(long.data.code, 'PARAM_ERROR');
    });

    test('创建批次的商户号 stock_creator_mchid string(20) 是: missing is 商户号必填', async () => {
      const id = await stock();
      row(await client.post(PATH('o-req'), body(id, { stock_creator_mchid: undefined })), ROWS.mchid);
      const long = await client.post(PATH('o-req'), body(id, { stock_creator_mchid: '1'.repeat(21) }));
      assert.equal(long.data.code, 'PARAM_ERROR');
    });

    test('coupon_value / coupon_minimum uint64 否: not integers are refused naming the field', async () => {
      const id = await stock();
      const res = await client.post(PATH('o-req'), body(id, { coupon_value: '100' }));
      assert.equal(res.data.code, 'PARAM_ERROR');
      assert.equal(res.data.detail.field, '/coupon_value');
    });
  });

  describe('transport', () => {
    test('a body declared as anything but application/json is refused; charset parameters are fine', async () => {
      const id = await stock();
      const text = JSON.stringify(body(id));
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp']) {
        const res = await client.with({ fetch: withType(t.platform.fetch, type) }).post(PATH('o-type'), text);
        assert.equal(res.status, 400, type);
        assert.equal(res.data.code, 'INVALID_REQUEST', type);
        assert.equal(res.data.detail.location, 'header', type);
      }
      const charset = withType(t.platform.fetch, 'application/json; charset=utf-8');
      assert.equal((await client.with({ fetch: charset }).post(PATH('o-type'), text)).status, 200);
    });

    test('Accept-Language chooses the message language; Content-Language says which; the code stays', async () => {
      const cases: Array<[string | undefined, string, string]> = [
        [undefined, 'zh-CN', '批次号必填'],
        ['zh-CN', 'zh-CN', '批次号必填'],
        ['zh-HK', 'zh-HK', '批次號必填'],
        ['zh-TW', 'zh-TW', '批次號必填'],
        ['en', 'en', 'stock_id is required'],
        ['en-US,en;q=0.9', 'en', 'stock_id is required'],
        ['fr', 'zh-CN', '批次号必填'],
      ];
      for (const [accept, language, message] of cases) {
        const res = await client
          .with({ fetch: withLanguage(t.platform.fetch, accept) })
          .post(PATH('o-lang'), body('1', { stock_id: undefined }));
        assert.equal(res.data.code, 'PARAM_ERROR', String(accept));
        assert.equal(res.data.message, message, String(accept));
        assert.equal(res.headers.get('content-language'), language, String(accept));
      }
    });
  });

  describe('response table', () => {
    test('代金券 id coupon_id string(20) 是: the only field of a success', async () => {
      const id = await stock();
      const res = await client.post(PATH('o-res'), body(id));
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.data), ['coupon_id']);
      assert.match(res.data.coupon_id, /^\d{1,20}$/);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    });
  });

  describe('error table', () => {
    test('PARAM_ERROR 回调 url 不能为空 / 回调商户不能为空 (callbacks)', async () => {
      row(await client.post('/v3/marketing/favor/callbacks', { mchid }), ROWS.callbackUrl);
      row(
        await client.post('/v3/marketing/favor/callbacks', { notify_url: 'https://example.com/notify' }),
        ROWS.callbackMchid,
      );
    });

    test('PARAM_ERROR 券 id 必填 (an empty coupon id in the path)', async () => {
      const res = await client.get(`/v3/marketing/favor/users/o-x/coupons/?appid=${appid}`);
      row(res, ROWS.couponId);
      assert.equal(res.data.detail.location, 'uri_template');
    });

    test('PARAM_ERROR appid 必填 / openid 必填 / 批次号必填 / 商户号必填 (send)', async () => {
      const id = await stock();
      row(await client.post(PATH('o-x'), body(id, { appid: undefined })), ROWS.appid);
      row(await client.post('/v3/marketing/favor/users//coupons', body(id)), ROWS.openid);
      row(await client.post(PATH('o-x'), body(id, { stock_id: undefined })), ROWS.stockId);
      row(await client.post(PATH('o-x'), body(id, { stock_creator_mchid: undefined })), ROWS.mchid);
    });

    test('PARAM_ERROR 页大小超过阈值 / 输入时间格式错误 (stock list)', async () => {
      row(await client.get(`/v3/marketing/favor/stocks?offset=0&limit=11&stock_creator_mchid=${mchid}`), ROWS.pageSize);
      row(
        await client.get(
          `/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${mchid}&create_start_time=yesterday`,
        ),
        ROWS.timeFormat,
      );
    });

    test('PARAM_ERROR 非法的批次状态 (pausing a stock that is not running)', async () => {
      const id = await stock({}, false);
      row(await client.post(`/v3/marketing/favor/stocks/${id}/pause`, { stock_creator_mchid: mchid }), ROWS.stockState);
    });

    test('MCH_NOT_EXISTS 商户号不合法', async () => {
      const id = await stock();
      row(await client.post(PATH('o-x'), body(id, { stock_creator_mchid: '1234567890' })), ROWS.mchNotExists);
    });

    test('INVALID_REQUEST openid 与 appID 不匹配', async () => {
      const id = await stock();
      t.platform.context.autoRegisterUsers = false;
      try {
        row(await client.post(PATH('o-never-seen'), body(id)), ROWS.openidAppid);
      } finally {
        t.platform.context.autoRegisterUsers = true;
      }
    });

    test('INVALID_REQUEST 活动已结束或未激活', async () => {
      const id = await stock({}, false);
      row(await client.post(PATH('o-x'), body(id)), ROWS.notActive);
    });

    test('INVALID_REQUEST 非法的商户号 (a callback for another merchant)', async () => {
      const other = await otherMerchant();
      row(
        await client.post('/v3/marketing/favor/callbacks', { mchid: other.mchid, notify_url: 'https://example.com/n' }),
        ROWS.illegalMchid,
      );
    });

    test('APPID_MCHID_NOT_MATCH 商户号与 appid 不匹配', async () => {
      const id = await stock();
      row(await client.post(PATH('o-x'), body(id, { appid: 'wx-not-bound' })), ROWS.appidMchid);
    });

    test('USER_ACCOUNT_ABNORMAL 用户非法', async () => {
      const id = await stock({ prevent_api_abuse: true });
      await t.admin('POST', '/users', { appid, openid: 'o-abnormal', abnormal: true });
      row(await client.post(PATH('o-abnormal'), body(id)), ROWS.abnormal);
    });

    test('NOT_ENOUGH 批次预算不足', async () => {
      const id = await stock({ max_coupons: 5, max_coupons_per_user: 5 });
      for (let i = 0; i < 5; i++) assert.equal((await client.post(PATH(`o-budget-${i}`), body(id))).status, 200);
      row(await client.post(PATH('o-budget-5'), body(id)), ROWS.notEnough);
    });

    test('REQUEST_BLOCKED 调用商户无权限 (another merchant reads the stock list of a creator)', async () => {
      const other = await otherMerchant();
      row(
        await other.client.get(`/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${mchid}`),
        ROWS.noPermission,
      );
    });

    test('REQUEST_BLOCKED 商户无权发券 (a stock shared with other merchants, not with the caller)', async () => {
      const id = await stock();
      const partner = await otherMerchant();
      await t.admin('POST', `/favor/stocks/${id}/senders`, { mchid: partner.mchid });
      assert.equal((await partner.client.post(PATH('o-shared'), body(id))).status, 200);
      const stranger = await otherMerchant();
      row(await stranger.client.post(PATH('o-shared'), body(id)), ROWS.noRightToSend);
    });

    test('REQUEST_BLOCKED 批次不支持跨商户发券 (a stock shared with nobody)', async () => {
      const id = await stock();
      const stranger = await otherMerchant();
      row(await stranger.client.post(PATH('o-x'), body(id)), ROWS.noCrossMerchant);
    });

    test('REQUEST_BLOCKED 用户被限领拦截', async () => {
      const id = await stock({ max_coupons_per_user: 1 });
      assert.equal((await client.post(PATH('o-limited'), body(id))).status, 200);
      row(await client.post(PATH('o-limited'), body(id)), ROWS.userLimited);
    });

    test('RESOURCE_NOT_EXISTS 批次不存在', async () => {
      row(await client.post(PATH('o-x'), body('9999999999')), ROWS.stockMissing);
    });

    test('FREQUENCY_LIMIT_EXCEED 接口限频', async () => {
      const limited = await startTestPlatform({
        rateLimits: { 'favor.coupons.send': { limit: 1, windowMs: 3_600_000 } },
      });
      try {
        const c = limited.client;
        const m = limited.platform.credentials.mchid;
        const s = await c.post(
          '/v3/marketing/favor/coupon-stocks',
          stockBody(m, { available_begin_time: new Date().toISOString() }),
        );
        await c.post(`/v3/marketing/favor/stocks/${s.data.stock_id}/start`, { stock_creator_mchid: m });
        const send = () =>
          c.post(PATH('o-rate'), {
            stock_id: s.data.stock_id,
            out_request_no: `rate${++seq}`,
            appid: limited.platform.credentials.appid,
            stock_creator_mchid: m,
          });
        await send();
        row(await send(), ROWS.rateLimited);
      } finally {
        await limited.close();
      }
    });
  });
});
