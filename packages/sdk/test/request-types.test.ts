import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  BusifavorStock,
  FavorCouponSendResponse,
  FavorStock,
  SendCouponResponse,
  Wechatpay,
  WechatpayResponse,
} from '../src/index.js';

// Type-level tests of `request(route, options)`: tsc checks this file as part of `npm test`, and each
// `@ts-expect-error` fails the type check if the line under it ever compiles.

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

const send = { stock_id: '1', out_request_no: 'n', appid: 'wx', stock_creator_mchid: '1' };

// Never called: only its body's types matter.
function typeChecks(wxpay: Wechatpay) {
  const sent = wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
    params: { openid: 'o' },
    body: send,
  });
  expectType<Equal<typeof sent, Promise<WechatpayResponse<FavorCouponSendResponse>>>>();

  // A wrong route: a renamed parameter, a method the map does not have for the path, a lower-case
  // method, a path without its version. (A path the map does not know at all is a route outside the
  // map, loosely typed, as WeChat Pay has many more APIs than the map holds.)
  // @ts-expect-error the path is known with {openid}, not {open_id}
  wxpay.request('POST /v3/marketing/favor/users/{open_id}/coupons', { params: { open_id: 'o' }, body: send });
  // @ts-expect-error the map has no DELETE for this path
  wxpay.request('DELETE /v3/marketing/favor/users/{openid}/coupons', { params: { openid: 'o' } });
  // @ts-expect-error methods are upper case
  wxpay.request('post /v3/marketing/favor/users/{openid}/coupons', { params: { openid: 'o' }, body: send });
  // @ts-expect-error a route starts with /v2/ or /v3/
  wxpay.request('POST /marketing/favor/users/{openid}/coupons', { params: { openid: 'o' }, body: send });

  // A wrong field: a missing path parameter, a missing or mistyped body field, a missing query.
  // @ts-expect-error params.openid is required
  wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', { body: send });
  // @ts-expect-error the parameter is openid, not open_id
  wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', { params: { open_id: 'o' }, body: send });
  const { stock_creator_mchid: _, ...withoutCreator } = send;
  // @ts-expect-error stock_creator_mchid is required in the body
  wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', { params: { openid: 'o' }, body: withoutCreator });
  const valueAsText = { ...send, coupon_value: '100' };
  // @ts-expect-error coupon_value is a number of fen, not a string
  wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', { params: { openid: 'o' }, body: valueAsText });
  // @ts-expect-error the stocks list needs its query
  wxpay.request('GET /v3/marketing/favor/stocks');
  // @ts-expect-error this route has no path parameters
  wxpay.request('GET /v3/marketing/favor/stocks', { params: { stock_id: '1' }, query: { offset: 0, limit: 10 } });

  // A wrong response type.
  const stock = wxpay.request('GET /v3/marketing/busifavor/stocks/{stock_id}', { params: { stock_id: '1' } });
  expectType<Equal<typeof stock, Promise<WechatpayResponse<BusifavorStock>>>>();
  // @ts-expect-error a 商家券 stock is not a 代金券 stock
  const wrong: Promise<WechatpayResponse<FavorStock>> = stock;
  void wrong;
  async function answers() {
    const { data } = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
      params: { openid: 'o' },
      body: send,
    });
    // @ts-expect-error coupon_id is a string
    const id: number = data.coupon_id;
    void id;
  }
  void answers;

  // A query without required keys may be left out; the options too when nothing is required.
  wxpay.request('GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}', {
    params: { stock_id: 's', coupon_code: 'c' },
  });
  wxpay.request('GET /v3/certificates');

  // APIv2: the body is the fields, signed and sent as XML.
  const v2 = wxpay.request('POST /v2/mmpaymkttransfers/send_coupon', {
    body: { coupon_stock_id: '1757', openid_count: 1, partner_trade_no: 'p', openid: 'o', appid: 'wx' },
    security: true,
  });
  expectType<Equal<typeof v2, Promise<WechatpayResponse<SendCouponResponse>>>>();
  // @ts-expect-error partner_trade_no is required by send_coupon
  wxpay.request('POST /v2/mmpaymkttransfers/send_coupon', { body: { coupon_stock_id: '1', openid_count: 1 } });

  // Routes outside the map are loosely typed, with the answer's type named by the caller.
  const loose = wxpay.request<{ n: number }>('POST /v3/marketing/some-new/{id}/api', {
    params: { id: 3 },
    body: { anything: true },
  });
  expectType<Equal<typeof loose, Promise<WechatpayResponse<{ n: number }>>>>();
  const unknownData = wxpay.request('GET /v3/somewhere/else');
  expectType<Equal<typeof unknownData, Promise<WechatpayResponse<unknown>>>>();
  // @ts-expect-error with the answer's type given, the form is still checked
  wxpay.request<{ n: number }>('get /v3/somewhere/else');

  // A route picked at run time from mapped ones stays typed.
  const action = 'start' as 'start' | 'pause';
  wxpay.request(`POST /v3/marketing/favor/stocks/{stock_id}/${action}`, {
    params: { stock_id: '1' },
    body: { stock_creator_mchid: '1' },
  });
}

describe('request() typing', () => {
  test('the type-level checks in this file are compiled by tsc', () => {
    assert.equal(typeof typeChecks, 'function');
  });
});
