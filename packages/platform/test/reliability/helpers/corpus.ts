import type { KeyObject } from 'node:crypto';
import { rsaSign } from '@wxcoupon/sdk/crypto';

// A generated corpus of requests that must all be refused: each case says which answer is right.
// Seeded, so a failure names a case that can be regenerated exactly.

export interface BadRequest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  body: string;
  /** Overrides for the signed client (stale timestamp, bad signature, Authorization header). */
  tweak?: { timestamp?: string; signature?: string; authorization?: string };
  /** Sign with this key instead of the merchant's own (another merchant's key). */
  signWith?: KeyObject;
  contentType?: string;
  /** An APIv2 request: XML that authenticates itself, so no APIv3 Authorization header. */
  v2?: boolean;
  /** For APIv2 the code is `err_code` of an HTTP 200 XML answer. */
  expect: { status: number; code: string };
}

export interface CorpusContext {
  stockId: string;
  mchid: string;
  appid: string;
  /** An openid that already exists, so that nothing is registered by a refused request. */
  openid: string;
  otherKey: KeyObject;
  seed: number;
}

const PARAM = { status: 400, code: 'PARAM_ERROR' };
const SIGN = { status: 401, code: 'SIGN_ERROR' };

/** mulberry32: a small, fast, seedable generator; good enough to vary test inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD = [
  '\u200b', // zero-width space
  '\u202e', // right-to-left override
  '\ufeff', // byte-order mark
  '\u0000',
  '\u0007',
  '\u00e9', // é
  'e\u0301', // e + combining acute
  '券',
  '\ud83d\ude00', // 😀 (outside the BMP)
  '\ud800', // a lone surrogate
  '\uffff',
  '%00',
  '../',
  "'; DROP TABLE favor_coupons; --",
];

const HOSTILE_XML = [
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><stock_id>&b;</stock_id></xml>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><stock_id>&xxe;</stock_id></xml>',
  '<xml><stock_id><![CDATA[1]]></stock_id><out_request_no>x</out_request_no></xml>',
  '<xml>'.repeat(5000),
];

/** Bodies an APIv2 endpoint must refuse as unreadable XML before anything else. */
const V2_HOSTILE = [
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><mch_id>&b;</mch_id></xml>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><mch_id>&xxe;</mch_id></xml>',
  '<xml><mch_id>&xxe;</mch_id></xml>',
  '<xml><mch_id>&#0;</mch_id></xml>',
  '<xml><mch_id>1</mch_id>',
  '<xml><mch_id>1</appid></xml>',
  `<xml>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</xml>`,
  '<xml><mch_id>1</mch_id><mch_id>2</mch_id></xml>',
  '{"coupon_stock_id":"1"}',
  '',
  'not xml at all',
  `<xml><mch_id>${'9'.repeat(17 * 1024)}</mch_id></xml>`,
];
const V2_XML = { status: 200, code: 'REQ_PARAM_XML_ERR' };

export function* corpus(ctx: CorpusContext, count: number): Generator<BadRequest> {
  const rand = prng(ctx.seed);
  const pickOf = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const sendPath = `/v3/marketing/favor/users/${ctx.openid}/coupons`;
  const good = (n: number) => ({
    stock_id: ctx.stockId,
    out_request_no: `bad${ctx.seed}x${n}`,
    appid: ctx.appid,
    stock_creator_mchid: ctx.mchid,
  });
  const post = (kind: string, body: string, expect = PARAM, more: Partial<BadRequest> = {}): BadRequest => ({
    kind,
    method: 'POST',
    path: sendPath,
    body,
    expect,
    ...more,
  });
  const wrongValues: unknown[] = [0, -1, 1.5, 1e308, true, false, [], {}, ['x'], { a: 1 }];
  const generators: Array<(n: number) => BadRequest> = [
    // Broken JSON: cut anywhere, stray characters, the wrong quotes.
    (n) => {
      const text = JSON.stringify(good(n));
      return post('broken json', text.slice(0, 1 + Math.floor(rand() * (text.length - 2))));
    },
    (n) => post('broken json', `${JSON.stringify(good(n)).slice(0, -1)},}`),
    (n) => post('broken json', JSON.stringify(good(n)).replaceAll('"', "'")),
    () => post('broken json', pickOf(['{', '}', '{"a":', 'nul', '{"stock_id":"1"', '\u0000', '{"a":1}{"b":2}'])),
    // JSON that is not an object.
    () => post('not an object', pickOf(['[]', '[1,2]', '"x"', '42', 'true', 'null', '[{"stock_id":"1"}]'])),
    () => post('empty body', pickOf(['', ' ', '\n\t'])),
    // Wrong types and missing fields.
    (n) => {
      const field = pickOf(['stock_id', 'out_request_no', 'appid', 'stock_creator_mchid'] as const);
      return post(`wrong type: ${field}`, JSON.stringify({ ...good(n), [field]: pickOf(wrongValues) }));
    },
    (n) => {
      const body: Record<string, unknown> = good(n);
      delete body[pickOf(['stock_id', 'out_request_no', 'appid', 'stock_creator_mchid'])];
      return post('missing field', JSON.stringify(body));
    },
    (n) => post('wrong type: coupon_value', JSON.stringify({ ...good(n), coupon_value: pickOf(['1', -5, 1.5, []]) })),
    // Huge: a field far over its limit, or a body over 1 MiB.
    (n) =>
      post(
        'huge field',
        JSON.stringify({ ...good(n), out_request_no: 'x'.repeat(129 + Math.floor(rand() * 200_000)) }),
      ),
    (n) => post('huge field', JSON.stringify({ ...good(n), stock_id: '9'.repeat(21 + Math.floor(rand() * 100_000)) })),
    (n) =>
      rand() < 0.05
        ? post('huge body', JSON.stringify({ ...good(n), padding: 'p'.repeat(1024 * 1024 + 1) }))
        : post('huge field', JSON.stringify({ ...good(n), appid: 'a'.repeat(129 + Math.floor(rand() * 50_000)) })),
    // Deeply nested values where a string belongs, or nested junk with required fields absent.
    () => {
      const depth = 100 + Math.floor(rand() * 20_000);
      return post('deeply nested', `{"stock_id":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    },
    (n) => {
      const depth = 100 + Math.floor(rand() * 20_000);
      return post('deeply nested', `{"out_request_no":"bad${n}","x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    },
    // Odd Unicode where only request-number characters are allowed.
    (n) => post('odd unicode', JSON.stringify({ ...good(n), out_request_no: `bad${n}${pickOf(ODD)}` })),
    (n) =>
      post(
        'odd unicode',
        JSON.stringify({ ...good(n), appid: `wx${pickOf(['\ud83d\ude00', '\ud842\udfb7', '\u{1f4a9}'])}` }),
      ),
    (n) => ({
      ...post('odd unicode', JSON.stringify(good(n))),
      // A lone surrogate cannot be percent-encoded at all, so it is left out here.
      path: `/v3/marketing/favor/users/${encodeURIComponent(`o${pickOf(ODD.filter((c) => c !== '\ud800'))}`)}/coupons`,
    }),
    // Signatures: wrong, malformed, stale or early, another merchant's key, a broken header.
    (n) =>
      post('bad signature', JSON.stringify(good(n)), SIGN, {
        tweak: { signature: rsaSign(`other${n}`, ctx.otherKey) },
      }),
    (n) =>
      post('bad signature', JSON.stringify(good(n)), SIGN, {
        tweak: { signature: pickOf(['', '!!!', 'AAAA', 'x'.repeat(10_000), Buffer.alloc(256).toString('base64')]) },
      }),
    (n) => {
      const age = 301 + Math.floor(rand() * 100_000);
      const ts = Math.floor(Date.now() / 1000) + (rand() < 0.8 ? -age : age);
      return post('stale signature', JSON.stringify(good(n)), SIGN, { tweak: { timestamp: String(ts) } });
    },
    (n) =>
      post('stale signature', JSON.stringify(good(n)), SIGN, {
        tweak: { timestamp: pickOf(['-1', 'abc', '1e9', '']) },
      }),
    (n) => post("another merchant's key", JSON.stringify(good(n)), SIGN, { signWith: ctx.otherKey }),
    (n) =>
      post('bad authorization header', JSON.stringify(good(n)), SIGN, {
        tweak: {
          authorization: pickOf([
            '',
            'Bearer x',
            'WECHATPAY2-SHA256-RSA2048',
            'WECHATPAY2-SHA256-RSA2048 mchid="1"',
            `WECHATPAY2-SHA256-RSA2048 mchid="${ctx.mchid}",nonce_str="n",timestamp="1",serial_no="x",signature="y"`,
            `WECHATPAY2-SHA256-RSA2048 ${'a="b",'.repeat(1000)}`,
            'WECHATPAY2-SHA256-RSA2048 mchid=="1",,,',
          ]),
        },
      }),
    // XML where JSON belongs (entity expansion, external entities, unclosed tags).
    () => post('hostile xml', pickOf(HOSTILE_XML), PARAM, { contentType: 'text/xml' }),
    () => ({
      kind: 'hostile xml (APIv2)',
      method: 'POST',
      path: pickOf(['/mmpaymkttransfers/query_coupon_stock', '/mmpaymkttransfers/querycouponsinfo']),
      body: pickOf(V2_HOSTILE),
      contentType: 'text/xml',
      v2: true,
      expect: V2_XML,
    }),
  ];
  for (let n = 0; n < count; n++) yield (generators[n % generators.length] as (n: number) => BadRequest)(n);
}
