import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { busifavorStockBody } from '../busifavor-helpers.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import type { SignedClient } from '../helpers/signed-fetch.js';

// Seed page 向用户发放商品券 (POST /v3/marketing/busifavor/product-coupons/send), row by row: its
// request table with the lengths of the official page (coupon-api.md §8.1), and its response table.
// The page has no error table. Expected values are the seed's text.

const PATH = '/v3/marketing/busifavor/product-coupons/send';

// The seed's request example, as printed there (only stock_id is replaced by a stock of this platform).
const SEED_EXAMPLE = {
  openid: 'xsd3434454567676',
  appid: 'wx1234567889999',
  stock_id: '12312354',
  out_request_no: '2335465',
  coupon_code: '202007019999',
  coupon_type: 'NORMAL',
  member_card_id: 'pbLatjvWOibDc5-TBnbUk1pD12o0',
};

describe('fidelity: 向用户发放商品券 (seed page)', () => {
  let t: TestPlatform;
  let client: SignedClient;
  let mchid: string;
  let stockId: string;
  let seq = 0;

  before(async () => {
    t = await startTestPlatform();
    client = t.client;
    mchid = t.platform.credentials.mchid;
    await t.admin('POST', `/merchants/${mchid}/appids`, { appid: SEED_EXAMPLE.appid });
    const created = await client.post('/v3/marketing/busifavor/stocks', busifavorStockBody(mchid, 'MERCHANT_API'));
    assert.equal(created.status, 200, created.text);
    stockId = created.data.stock_id;
    const product = await t.admin('PUT', `/busifavor/stocks/${stockId}/product`, { product_id: 'sku-1' });
    assert.equal(product.status, 200);
  });
  after(() => t.close());

  const send = (over: Record<string, unknown> = {}) =>
    client.post(
      PATH,
      JSON.parse(
        JSON.stringify({
          ...SEED_EXAMPLE,
          stock_id: stockId,
          out_request_no: `p${Date.now()}${++seq}`,
          coupon_code: `code${Date.now()}${seq}`,
          ...over,
        }),
      ),
    );

  const refusedNaming = async (over: Record<string, unknown>, field: string) => {
    const res = await send(over);
    assert.equal(res.status, 400, `${field}: ${res.text}`);
    assert.equal(res.data.code, 'PARAM_ERROR', field);
    assert.ok(res.data.message.startsWith(`输入源“/body/${field}”`), `${field}: ${res.data.message}`);
    assert.equal(res.data.detail.location, 'body', field);
    return res;
  };

  describe('request table', () => {
    test("the seed's example (NORMAL with member_card_id) succeeds and answers the response table", async () => {
      const res = await client.post(PATH, { ...SEED_EXAMPLE, stock_id: stockId });
      assert.equal(res.status, 200, res.text);
      // 返回字典: stock_id 批次号, coupon_code 券code, out_request_no 发券凭证, all required.
      assert.deepEqual(Object.keys(res.data).sort(), ['coupon_code', 'out_request_no', 'stock_id']);
      assert.equal(res.data.stock_id, stockId);
      assert.equal(res.data.coupon_code, SEED_EXAMPLE.coupon_code);
      assert.equal(res.data.out_request_no, SEED_EXAMPLE.out_request_no);
      assert.equal(res.signed, true);
    });

    test('openid string(128) 用户标识, required', async () => {
      await refusedNaming({ openid: undefined }, 'openid');
      await refusedNaming({ openid: 'o'.repeat(129) }, 'openid');
      assert.equal((await send({ openid: 'o'.repeat(128) })).status, 200);
    });

    test('appid string(32) 公众账号ID, required', async () => {
      const missing = await refusedNaming({ appid: undefined }, 'appid');
      assert.match(missing.data.message, /必填性规则校验失败,此字段为必填项$/);
      await refusedNaming({ appid: 'w'.repeat(33) }, 'appid');
    });

    test('stock_id string(128) 批次号, required', async () => {
      await refusedNaming({ stock_id: undefined }, 'stock_id');
      await refusedNaming({ stock_id: '1'.repeat(129) }, 'stock_id');
      // 128 characters are within the rule: the stock is then looked up (and does not exist).
      const long = await send({ stock_id: '1'.repeat(128) });
      assert.equal(long.status, 404);
      assert.equal(long.data.code, 'RESOURCE_NOT_EXISTS');
    });

    test('out_request_no string(128) 发券凭证, required', async () => {
      await refusedNaming({ out_request_no: undefined }, 'out_request_no');
      await refusedNaming({ out_request_no: 'x'.repeat(129) }, 'out_request_no');
      assert.equal((await send({ out_request_no: `${'x'.repeat(120)}${++seq}`.slice(0, 128) })).status, 200);
    });

    test('coupon_code 券code: optional, but required by a MERCHANT_API stock', async () => {
      const res = await send({ coupon_code: undefined });
      assert.equal(res.status, 400);
      assert.equal(res.data.code, 'PARAM_ERROR');
      assert.equal(res.data.detail.field, '/coupon_code');
    });

    test('coupon_type 券类型: NORMAL | MEMBER, required', async () => {
      await refusedNaming({ coupon_type: undefined }, 'coupon_type');
      await refusedNaming({ coupon_type: 'GOLD' }, 'coupon_type');
    });

    test('member_card_id string(32) 会员卡ID: required for MEMBER, naming the field; accepted for NORMAL', async () => {
      const missing = await refusedNaming({ coupon_type: 'MEMBER', member_card_id: undefined }, 'member_card_id');
      assert.match(missing.data.message, /当coupon_type为MEMBER时必填$/);
      await refusedNaming({ coupon_type: 'MEMBER', member_card_id: 'c'.repeat(33) }, 'member_card_id');
      assert.equal((await send({ coupon_type: 'MEMBER', member_card_id: 'c'.repeat(32) })).status, 200);
      assert.equal((await send({ coupon_type: 'NORMAL', member_card_id: 'c'.repeat(32) })).status, 200);
      assert.equal((await send({ coupon_type: 'NORMAL', member_card_id: undefined })).status, 200);
    });
  });
});
