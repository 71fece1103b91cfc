import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BusifavorCouponSendResponse, busifavorSendResult } from '../src/index.js';

// 商家券 coupons/send answers come in two shapes in the sources; the SDK types and reads both.

test('busifavorSendResult reads the wrapped and the flat answer alike', () => {
  const result = { stock_id: '1212', coupon_code: '0123456789012345678901', out_request_no: 'req-1' };
  const wrapped: BusifavorCouponSendResponse = { send_coupon_result: result };
  const flat: BusifavorCouponSendResponse = { ...result };
  assert.deepEqual(busifavorSendResult(wrapped), result);
  assert.deepEqual(busifavorSendResult(flat), result);
  assert.equal(busifavorSendResult(JSON.parse(JSON.stringify(wrapped))).coupon_code, result.coupon_code);
});
