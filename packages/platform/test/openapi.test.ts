import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FormatRegistry } from '@sinclair/typebox';
import { ENDPOINT_KEYS } from '@wxcoupon/sdk';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compileDocument, conforming, nonConformance } from './helpers/conformance.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

// The API document the platform serves, and the check every in-process answer of the test suite goes
// through (helpers/conformance.ts).

// Keys of the SDK's map the platform does not serve (a 商品券 pre-send needs WeChat's own token service).
const NOT_SERVED = ['POST /v3/marketing/busifavor/product-coupons/pre-send'];

// biome-ignore lint/suspicious/noExplicitAny: the document is read as arbitrary JSON
type Doc = any;

describe('GET /openapi.json', () => {
  let t: TestPlatform;
  let doc: Doc;
  before(async () => {
    t = await startTestPlatform();
    const res = await t.platform.fetch(new Request('http://platform.test/openapi.json'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = await res.json();
  });
  after(() => t.close());

  test('is OpenAPI 3.1 with the APIv3 signature scheme, the signed answer headers and the error body', () => {
    assert.equal(doc.openapi, '3.1.0');
    const scheme = doc.components.securitySchemes['WECHATPAY2-SHA256-RSA2048'];
    assert.deepEqual([scheme.type, scheme.in, scheme.name], ['apiKey', 'header', 'Authorization']);
    assert.deepEqual(doc.security, [{ 'WECHATPAY2-SHA256-RSA2048': [] }]);
    for (const h of ['Wechatpay-Signature', 'Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Serial'])
      assert.ok(doc.components.headers[h], h);
    assert.deepEqual(doc.components.schemas.Error.required, ['code', 'message']);
    const send = doc.paths['/v3/marketing/favor/users/{openid}/coupons'].post;
    assert.deepEqual(Object.keys(send.responses).sort(), ['200', '400', '401', '403', '404', '429', '500']);
    assert.ok(send.responses['200'].headers['Wechatpay-Signature']);
    assert.deepEqual(
      send.parameters.map((p: Doc) => [p.name, p.in, p.required]),
      [['openid', 'path', true]],
    );
  });

  test('names every APIv3 route of the SDK map the platform serves, and no other', async () => {
    const v3 = ENDPOINT_KEYS.filter((k) => k.includes(' /v3/'));
    const documented = Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.deepEqual(
      documented.filter((k) => k.includes(' /v3/')).sort(),
      v3.filter((k) => !NOT_SERVED.includes(k)).sort(),
    );
    // What is left out is indeed not served: the route fallback answers it.
    for (const key of NOT_SERVED) {
      const [method, path] = key.split(' ') as [string, string];
      const res = await t.client.request(method, path, '{}');
      assert.equal(res.status, 404, key);
    }
  });

  test('the seed send APIs carry examples, valid against their schemas', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addFormat('date-time', true);
    for (const name of JSON.stringify(doc).match(/"wx-[a-z-]+"/g) ?? []) {
      const format = name.slice(1, -1);
      const check = FormatRegistry.Get(format);
      assert.ok(check, format);
      if (!ajv.formats[format]) ajv.addFormat(format, (v: string) => check(v));
    }
    const examples: Array<[string, Doc]> = [];
    for (const path of ['/v3/marketing/favor/users/{openid}/coupons', '/v3/marketing/busifavor/product-coupons/send']) {
      const op = doc.paths[path].post;
      examples.push([`${path} request`, op.requestBody.content['application/json']]);
      examples.push([`${path} answer`, op.responses['200'].content['application/json']]);
    }
    for (const [where, media] of examples) {
      assert.ok(media.example, `${where} has an example`);
      const validate = ajv.compile(media.schema);
      assert.ok(validate(media.example), `${where}: ${JSON.stringify(validate.errors)}`);
    }
    const v2 = doc.paths['/v2/mmpaymkttransfers/send_coupon'].post;
    assert.deepEqual(v2.security, []);
    assert.match(v2.requestBody.content['application/xml'].example, /^<xml>[\s\S]*<coupon_stock_id>1717</);
    assert.match(v2.responses['200'].content['application/xml'].example, /<ret_code>SUCCESS<\/ret_code>/);
  });

  test('the conformance check refuses a wrong answer, naming route, status and the schema error', () => {
    const routes = compileDocument(doc);
    const send = ['POST', '/v3/marketing/favor/users/o1/coupons'] as const;
    assert.equal(nonConformance(routes, ...send, 200, '{"coupon_id":"1"}'), undefined);
    assert.match(
      nonConformance(routes, ...send, 200, '{"coupon_id":1}') ?? '',
      /^POST \/v3\/marketing\/favor\/users\/\{openid\}\/coupons: status 200 does not conform: \/coupon_id must be string/,
    );
    assert.match(nonConformance(routes, ...send, 200, '{}') ?? '', /must have required property 'coupon_id'/);
    assert.match(nonConformance(routes, ...send, 400, '{"message":"x"}') ?? '', /status 400 does not conform/);
    assert.match(nonConformance(routes, ...send, 418, '{}') ?? '', /status 418 is not documented/);
    // A literal path is not taken for a parameter of another route.
    assert.match(
      nonConformance(routes, 'GET', '/v3/marketing/favor/stocks', 200, '{"coupon_id":"1"}') ?? '',
      /^GET \/v3\/marketing\/favor\/stocks: /,
    );
  });

  test('an answer that breaks the document fails the call that received it', async () => {
    // The platform's answer, bent on its way to the check.
    const bent = conforming(async (req) => {
      const res = await t.platform.fetch(req);
      if (new URL(req.url).pathname !== '/v3/marketing/favor/stocks') return res;
      const data = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...data, total_count: 'many' }), { status: 200, headers: res.headers });
    });
    const path = `/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${t.platform.credentials.mchid}`;
    assert.equal((await t.client.get(path)).status, 200);
    await assert.rejects(
      t.client.with({ fetch: bent }).get(path),
      /does not conform to \/openapi.json: GET \/v3\/marketing\/favor\/stocks: status 200 does not conform: \/total_count must be integer/,
    );
  });
});
