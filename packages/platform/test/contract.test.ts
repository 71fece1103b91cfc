import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Hono } from 'hono';
import { MESSAGES } from '../src/errors/messages.js';
import { declaredRoutes, route } from '../src/http/contract.js';
import { int, request, str } from '../src/http/contract-schema.js';
import type { V3Env } from '../src/http/env.js';
import { errorHandler } from '../src/http/error-handler.js';

// Routes registered by their endpoint key. The type checks below run under `npm run typecheck`: each
// `@ts-expect-error` fails the check if the line it guards ever compiles, so a schema or an answer that
// disagrees with the SDK's endpoint map cannot be registered.

const SEND = 'POST /v3/marketing/favor/users/{openid}/coupons';
const ID = { required: true, pattern: /^[A-Za-z0-9_-]+$/ } as const;
const USER_PATH = request({ openid: str({ ...ID, max: 128 }) }, 'uri_template');
const STOCK_PATH = request({ stock_id: str({ ...ID, max: 20 }) }, 'uri_template');
const SEND_BODY = request({
  stock_id: str({ required: true, requiredText: MESSAGES.stockIdRequired, max: 20 }),
  out_request_no: str({ required: true, max: 128 }),
  appid: str({ required: true, max: 128 }),
  stock_creator_mchid: str({ required: true, max: 20 }),
  coupon_value: int({ min: 1 }),
  coupon_minimum: int({ min: 0 }),
});
const SENT = Type.Object({ coupon_id: Type.String() });

// Never called: only its body's types matter.
function typeChecks(router: Hono<V3Env>) {
  route(router, SEND, { summary: 's', params: USER_PATH, body: SEND_BODY, response: SENT }, () => ({
    coupon_id: '1',
  }));

  const misspelt = request({ ...SEND_BODY.properties, stock_idd: str({ max: 20 }) });
  // @ts-expect-error a body member the map does not name
  route(router, SEND, { summary: 's', params: USER_PATH, body: misspelt, response: SENT }, () => ({ coupon_id: '1' }));

  const { stock_id: _, ...rest } = SEND_BODY.properties;
  const stockIdAsNumber = request({ ...rest, stock_id: int({ required: true }) });
  // @ts-expect-error stock_id is a string in the map
  route(router, SEND, { summary: 's', params: USER_PATH, body: stockIdAsNumber, response: SENT }, () => ({
    coupon_id: '1',
  }));

  // @ts-expect-error the answer's coupon_id is a string in the map
  route(router, SEND, { summary: 's', params: USER_PATH, body: SEND_BODY, response: SENT }, () => ({ coupon_id: 1 }));

  const extra = Type.Object({ coupon_id: Type.String(), extra: Type.String() });
  const answersMore = { summary: 's', params: USER_PATH, body: SEND_BODY, response: extra };
  // @ts-expect-error the response schema names a member the map's answer does not have
  route(router, SEND, answersMore, () => ({ coupon_id: '1', extra: '' }));

  // @ts-expect-error the path of this key has {openid}, not {stock_id}
  route(router, SEND, { summary: 's', params: STOCK_PATH, body: SEND_BODY, response: SENT }, () => ({
    coupon_id: '1',
  }));
}
void typeChecks;

function testRouter(): Hono<V3Env> {
  const router = new Hono<V3Env>();
  router.onError(errorHandler(() => {}));
  router.use('*', async (c, next) => {
    c.set('rawBody', await c.req.text());
    await next();
  });
  return router;
}

describe('route by endpoint key', () => {
  test('the key gives the Hono path; path, then body are validated before the handler, in FieldReader words', async () => {
    const router = testRouter();
    const seen: unknown[] = [];
    route(router, SEND, { summary: 's', params: USER_PATH, body: SEND_BODY, response: SENT }, ({ params, body }) => {
      seen.push({ params, body });
      return { coupon_id: '7' };
    });
    assert.deepEqual(
      declaredRoutes(router).map((r) => [r.method, r.path]),
      [['POST', '/marketing/favor/users/{openid}/coupons'.replace(/^/, '/v3')]],
    );
    const send = (openid: string, body: unknown) =>
      router.request(`/marketing/favor/users/${openid}/coupons`, { method: 'POST', body: JSON.stringify(body) });
    const good = { stock_id: '1', out_request_no: 'n1', appid: 'wx1', stock_creator_mchid: '1900000001' };

    const ok = await send('o1', good);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { coupon_id: '7' });
    assert.deepEqual(seen, [{ params: { openid: 'o1' }, body: good }]);

    // The path is checked before the body.
    const badPath = await send('o%20', { ...good, stock_id: '' });
    assert.equal(badPath.status, 400);
    assert.deepEqual(((await badPath.json()) as { detail: unknown }).detail, {
      field: '/openid',
      location: 'uri_template',
      value: 'o ',
    });

    // The table's own text for a missing stock_id.
    const missing = await send('o1', { ...good, stock_id: undefined });
    assert.deepEqual(await missing.json(), {
      code: 'PARAM_ERROR',
      message: '批次号必填',
      detail: { field: '/stock_id', location: 'body' },
    });

    // A null member is absent, as FieldReader reads it: accepted when optional, and not handed on.
    const withNull = await send('o1', { ...good, coupon_value: null });
    assert.equal(withNull.status, 200);
    assert.deepEqual(seen.at(-1), { params: { openid: 'o1' }, body: good });

    const unknown = await send('o1', { ...good, extra: 1 });
    assert.equal(((await unknown.json()) as { detail: { field: string } }).detail.field, '/extra');
    assert.equal(seen.length, 2);
  });
});
