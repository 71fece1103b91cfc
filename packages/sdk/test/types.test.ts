import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  BusifavorCouponSendResponse,
  FavorCouponSendResponse,
  LooseNode,
  ProductCouponSendResponse,
  SendCouponResponse,
  Wechatpay,
  WechatpayResponse,
} from '../src/index.js';

// Type-level tests: tsc checks this file as part of `npm test`. Each `@ts-expect-error` fails the
// type check if the line it guards ever compiles, so the chain's typing cannot silently loosen.

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

// Never called: only its body's types matter.
function typeChecks(wxpay: Wechatpay) {
  const favor = wxpay.v3.marketing.favor.users._openid_.coupons.post({
    openid: 'o',
    json: { stock_id: '1', out_request_no: 'n', appid: 'wx', stock_creator_mchid: '1' },
  });
  expectType<Equal<typeof favor, Promise<WechatpayResponse<FavorCouponSendResponse>>>>();

  // @ts-expect-error the template variable openid is required
  wxpay.v3.marketing.favor.users._openid_.coupons.post({
    json: { stock_id: '1', out_request_no: 'n', appid: 'wx', stock_creator_mchid: '1' },
  });

  const send = wxpay.v3.marketing.favor.users._openid_.coupons;
  const withoutCreator = { stock_id: '1', out_request_no: 'n', appid: 'wx' };
  // @ts-expect-error stock_creator_mchid is missing from json
  send.post({ openid: 'o', json: withoutCreator });

  const valueAsText = {
    stock_id: '1',
    out_request_no: 'n',
    appid: 'wx',
    stock_creator_mchid: '1',
    coupon_value: '100',
  };
  // @ts-expect-error coupon_value is a number of fen, not a string
  send.post({ openid: 'o', json: valueAsText });

  const product = wxpay.v3.marketing.busifavor.productCoupons.send.post({
    json: { openid: 'o', appid: 'a', stock_id: 's', out_request_no: 'n', coupon_type: 'MEMBER', member_card_id: 'm' },
  });
  expectType<Equal<typeof product, Promise<WechatpayResponse<ProductCouponSendResponse>>>>();
  const declared = wxpay.chain('v3/marketing/busifavor/product-coupons/send');
  const property = wxpay['v3/marketing/busifavor/product-coupons/send'];
  expectType<Equal<typeof declared, typeof property>>();
  // @ts-expect-error coupon_type is required for product coupons
  declared.post({ json: { openid: 'o', appid: 'a', stock_id: 's', out_request_no: 'n' } });

  // Open enums: known values autocomplete, new values still compile.
  property.post({
    json: { openid: 'o', appid: 'a', stock_id: 's', out_request_no: 'n', coupon_type: 'SOMETHING_NEW' },
  });

  const b9 = wxpay.v3.marketing.busifavor.coupons.send.post({
    json: { openid: 'o', appid: 'a', stock_id: 's', out_request_no: 'n' },
  });
  expectType<Equal<typeof b9, Promise<WechatpayResponse<BusifavorCouponSendResponse>>>>();

  // @ts-expect-error the stocks list needs its query
  wxpay.v3.marketing.favor.stocks.get();
  wxpay.v3.marketing.favor.stocks.get({ query: { offset: 0, limit: 10, stock_creator_mchid: '1' } });

  const v2 = wxpay.v2.mmpaymkttransfers.send_coupon.post({
    xml: { coupon_stock_id: '1757', openid_count: 1, partner_trade_no: 'p', openid: 'o', appid: 'wx' },
    security: true,
  });
  expectType<Equal<typeof v2, Promise<WechatpayResponse<SendCouponResponse>>>>();
  const withoutTradeNo = { coupon_stock_id: '1757', openid_count: 1, openid: 'o', appid: 'wx' };
  // @ts-expect-error partner_trade_no is required by send_coupon
  wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: withoutTradeNo, security: true });

  const patched = wxpay.v3.marketing.busifavor.stocks._stock_id_.patch({
    stock_id: '1',
    json: { out_request_no: 'x' },
  });
  expectType<Equal<typeof patched, Promise<WechatpayResponse<undefined>>>>();

  // Paths outside the map still work, loosely typed.
  const loose = wxpay.chain('v3/marketing/some-new/api');
  expectType<Equal<typeof loose, LooseNode>>();
  loose.post({ json: { anything: true }, id: 3 });
  const unknownData = wxpay.chain('v3/x').get<{ n: number }>();
  expectType<Equal<typeof unknownData, Promise<WechatpayResponse<{ n: number }>>>>();
}

describe('chain typing', () => {
  test('the type-level checks in this file are compiled by tsc', () => {
    assert.equal(typeof typeChecks, 'function');
  });
});
