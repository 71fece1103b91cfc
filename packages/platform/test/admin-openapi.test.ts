import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Hono } from 'hono';
import type { PlatformContext } from '../src/context.js';
import { features } from '../src/features/index.js';
import { adminDocument, servedAdminKeys } from '../src/http/admin-openapi.js';
import type { AdminEnv } from '../src/http/env.js';
import { compileDocument, conforming, nonConformance } from './helpers/conformance.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// The admin API's document: what the admin router serves, each route declared next to it.

// biome-ignore lint/suspicious/noExplicitAny: the document is read as arbitrary JSON
type Doc = any;

describe('GET /admin/openapi.json', () => {
  let t: TestPlatform;
  let doc: Doc;
  before(async () => {
    t = await startTestPlatform();
    const res = await t.platform.fetch(
      new Request('http://platform.test/admin/openapi.json', {
        headers: { Authorization: `Bearer ${t.platform.adminToken}` },
      }),
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = await res.json();
  });
  after(() => t.close());

  test('is refused without the admin token', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong' },
      { Authorization: `Basic ${t.platform.adminToken}` },
    ]) {
      const res = await t.platform.fetch(new Request('http://platform.test/admin/openapi.json', { headers }));
      assert.equal(res.status, 401);
      const body = (await res.json()) as { code: string };
      assert.equal(body.code, 'ADMIN_UNAUTHORIZED');
    }
  });

  test('is OpenAPI 3.1 with the admin bearer token as its security scheme', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.components.securitySchemes.AdminToken, {
      type: 'http',
      scheme: 'bearer',
      description: doc.components.securitySchemes.AdminToken.description,
    });
    assert.deepEqual(doc.security, [{ AdminToken: [] }]);
    assert.deepEqual(doc.components.schemas.Error.required, ['code', 'message']);
    const user = doc.paths['/admin/users/{openid}'].patch;
    assert.deepEqual(
      user.parameters.map((p: Doc) => [p.name, p.in, p.required]),
      [
        ['openid', 'path', true],
        ['appid', 'query', false],
      ],
    );
    assert.deepEqual(user.requestBody.content['application/json'].schema.properties.abnormal, { type: 'boolean' });
    assert.deepEqual(user.responses['200'].content['application/json'].schema.required, [
      'openid',
      'appid',
      'person_id',
      'abnormal',
    ]);
    assert.deepEqual(Object.keys(user.responses).sort(), ['200', '400', '401', '403', '404', '500']);
    // Where an answer's shape is not declared the document says no more than that it is an object.
    const product = doc.paths['/admin/busifavor/stocks/{stock_id}/product'].delete;
    assert.deepEqual(product.responses['200'].content['application/json'].schema, { type: 'object' });
    assert.deepEqual(
      product.parameters.map((p: Doc) => p.name),
      ['stock_id'],
    );
  });

  test('lists every admin route the platform serves, and no other', () => {
    const documented = Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    // The features' admin routes registered afresh: registering reads services but calls none.
    const router = new Hono<AdminEnv>();
    for (const f of features)
      f.admin?.(router, { services: new Proxy({}, { get: () => ({}) }) } as unknown as PlatformContext);
    const served = servedAdminKeys(router);
    assert.deepEqual(documented.sort(), [...served, 'GET /admin/openapi.json'].sort());
    assert.ok(documented.length >= 35, String(documented.length));
    for (const key of ['GET /admin/requests/{id}', 'POST /admin/clock/advance', 'DELETE /admin/faults/{id}'])
      assert.ok(documented.includes(key), key);
    for (const op of documented) {
      const [method, path] = op.split(' ') as [string, string];
      assert.ok(doc.paths[path][method.toLowerCase()].summary, `${op} has a summary`);
    }
  });

  test('a route without a declaration, or a declaration of no route, stops the document', () => {
    const router = new Hono();
    router.use('*', async (_c, next) => next());
    router.get('/things/:id', (c) => c.json({}));
    router.post('/things', (c) => c.json({}));
    const things = { summary: 'A thing', response: Type.Object({ id: Type.String() }) };
    assert.throws(
      () => adminDocument(router, { 'GET /admin/things/{id}': things }),
      /^Error: admin routes without a declaration: POST \/admin\/things$/,
    );
    assert.throws(
      () =>
        adminDocument(router, {
          'GET /admin/things/{id}': things,
          'POST /admin/things': things,
          'GET /admin/gone': things,
        }),
      /^Error: admin declarations of no route: GET \/admin\/gone$/,
    );
    const ok = adminDocument(router, { 'GET /admin/things/{id}': things, 'POST /admin/things': things }) as Doc;
    assert.deepEqual(Object.keys(ok.paths).sort(), ['/admin/things', '/admin/things/{id}']);
  });

  test('admin answers conform to it, and a wrong one is refused', async () => {
    const routes = compileDocument(doc);
    const checked = async (method: string, path: string, body?: unknown) => {
      const res = await t.admin(method, path, body);
      assert.equal(
        nonConformance(routes, method, `/admin${path}`, res.status, JSON.stringify(res.data)),
        undefined,
        `${method} ${path}`,
      );
      return res;
    };
    await checked('POST', '/merchants/1/appids', { appid: 'wx-none' });
    const user = await checked('POST', '/users', { appid: t.platform.credentials.appid });
    assert.equal(user.status, 200);
    await checked('GET', `/users/${user.data.openid}`);
    await checked('PATCH', `/users/${user.data.openid}`, { abnormal: true });
    await checked('GET', '/users/nobody');
    await checked('POST', '/users', { appid: 5 });
    await checked('GET', '/merchants');
    await checked('GET', '/clock');
    await checked('POST', '/clock/advance', { by: '1h' });
    await checked('POST', '/clock/resume');
    await checked('GET', '/notifications');
    await checked('GET', '/notifications/settings');
    await checked('GET', '/requests');
    const rule = await checked('POST', '/faults', {
      api: 'favor.coupons.send',
      action: 'error',
      error_code: 'SYSTEM_ERROR',
    });
    assert.equal(rule.status, 200, JSON.stringify(rule.data));
    await checked('GET', '/faults');
    await checked('DELETE', `/faults/${rule.data.id}`);
    await checked('GET', '/health');
    await checked('GET', '/platform');

    const users = ['PATCH', '/admin/users/o1'] as const;
    assert.match(
      nonConformance(routes, ...users, 200, '{"openid":"o1","appid":"wx1","person_id":null,"abnormal":"yes"}') ?? '',
      /^PATCH \/admin\/users\/\{openid\}: status 200 does not conform: \/abnormal must be boolean/,
    );
    assert.match(nonConformance(routes, ...users, 200, '{"openid":"o1"}') ?? '', /must have required property/);
    assert.match(nonConformance(routes, ...users, 418, '{}') ?? '', /status 418 is not documented/);
    assert.match(
      nonConformance(
        routes,
        'GET',
        '/admin/clock',
        200,
        '{"now":"x","now_ms":1.5,"offset_seconds":0,"real_now":"x"}',
      ) ?? '',
      /\/now_ms must be integer/,
    );
  });

  test('an admin answer that breaks the document fails the call that received it', async () => {
    // The platform's answer, bent on its way to the check.
    const bent = conforming(async (req) => {
      const res = await t.platform.fetch(req);
      if (new URL(req.url).pathname !== '/admin/clock') return res;
      const data = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...data, now_ms: 'soon' }), { status: 200, headers: res.headers });
    });
    const clock = () =>
      new Request('http://platform.test/admin/clock', {
        headers: { Authorization: `Bearer ${t.platform.adminToken}` },
      });
    assert.equal((await conforming(t.platform.fetch)(clock())).status, 200);
    await assert.rejects(
      bent(clock()),
      /does not conform to \/admin\/openapi.json: GET \/admin\/clock: status 200 does not conform: \/now_ms must be integer/,
    );
  });
});
