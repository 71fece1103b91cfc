import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fillTemplate, queryString, segmentOf, segmentsOf, templateNames } from '../src/core/url.js';
import { RequestError } from '../src/errors/index.js';

describe('path building', () => {
  test('camelCase property names become kebab-case segments', () => {
    assert.equal(segmentOf('productCoupons'), 'product-coupons');
    assert.equal(segmentOf('useFlowByDay'), 'use-flow-by-day');
    assert.equal(segmentOf('send_coupon'), 'send_coupon');
    assert.equal(segmentOf('CouponStocks'), 'coupon-stocks');
  });

  test('_name_ and $name$ become template variables without any case change', () => {
    assert.equal(segmentOf('_openid_'), '{openid}');
    assert.equal(segmentOf('_coupon_id_'), '{coupon_id}');
    assert.equal(segmentOf('$stockId$'), '{stockId}');
  });

  test('a property holding slashes is a written-out path and keeps its spelling', () => {
    assert.deepEqual(segmentsOf('v3/marketing/busifavor/product-coupons/send'), [
      'v3',
      'marketing',
      'busifavor',
      'product-coupons',
      'send',
    ]);
    assert.deepEqual(segmentsOf('/v3/users/{openid}/'), ['v3', 'users', '{openid}']);
  });

  test('template values are URL-encoded and never change case', () => {
    const path = 'v3/marketing/favor/users/{openid}/coupons/{coupon_id}';
    assert.deepEqual(templateNames(path), ['openid', 'coupon_id']);
    assert.equal(
      fillTemplate(path, { openid: 'oT123-ab/c d', coupon_id: 'T123' }),
      'v3/marketing/favor/users/oT123-ab%2Fc%20d/coupons/T123',
    );
  });

  test('a missing template variable is a RequestError naming it', () => {
    assert.throws(
      () => fillTemplate('v3/users/{openid}/coupons', {}),
      (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.match((err as Error).message, /`openid`/);
        return true;
      },
    );
  });

  test('a template value of . or .. is refused rather than collapsed into another path', () => {
    for (const openid of ['.', '..']) {
      assert.throws(() => fillTemplate('v3/users/{openid}/coupons', { openid }), RequestError);
    }
    assert.equal(fillTemplate('v3/users/{openid}/coupons', { openid: '...' }), 'v3/users/.../coupons');
  });

  test('the query string skips undefined values and joins arrays with commas', () => {
    assert.equal(queryString({ a: 1, b: undefined, c: 'x y', d: ['1', '2'] }), '?a=1&c=x+y&d=1%2C2');
    assert.equal(queryString({}), '');
    assert.equal(queryString(undefined), '');
  });
});
