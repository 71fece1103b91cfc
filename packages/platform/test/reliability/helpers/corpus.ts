import type { KeyObject } from 'node:crypto';
import { rsaSign } from '@wxcoupon/sdk/crypto';
import { busifavorStockBody } from '../../busifavor-helpers.js';

// A generated corpus of requests that must all be refused: each case says which answer is right.
// Seeded, so a failure names a case that can be regenerated exactly.

export interface BadRequest {
  kind: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** The request-target as signed (and sent, unless `sentPath` is given). */
  path: string;
  body: string;
  /** The exact body bytes to sign and send instead of `body`'s UTF-8 (bytes that are not UTF-8). */
  bytes?: Buffer;
  /** Sent in place of the signed body bytes: a change made after signing. */
  sentBytes?: Buffer;
  /** Sent in place of the signed request-target. */
  sentPath?: string;
  /** Overrides for the signed client (stale timestamp, bad signature, Authorization header or its separator). */
  tweak?: { timestamp?: string; signature?: string; authorization?: string; separator?: string };
  /** Sign with this key instead of the merchant's own (another merchant's key). */
  signWith?: KeyObject;
  contentType?: string;
  /** An APIv2 request: XML that authenticates itself, so no APIv3 Authorization header. */
  v2?: boolean;
  /** For APIv2 the code is `err_code` of an HTTP 200 XML answer; undefined for an answer without a body. */
  expect: { status: number; code: string | undefined };
}

export interface CorpusContext {
  stockId: string;
  mchid: string;
  appid: string;
  /** An openid that already exists, so that nothing is registered by a refused request. */
  openid: string;
  /** A running 商家券 stock with product information, so that a send that got through would issue a coupon. */
  busifavorStockId: string;
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

/** C0, DEL and C1 controls and lone surrogates: never part of an identifier. */
const CONTROLS = ['\u0000', '\u0001', '\t', '\r\n', '\u001f', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff'];
/** Openids that are not letters, digits, _ and -, each of which once got a 商家券 and a user. */
const ODD_OPENIDS = [
  '\u200fo', // right-to-left mark
  'o\u202e',
  'o\u0000',
  'o\r\nX-Injected: 1',
  'o\ud800',
  '../../etc/passwd',
  'o x',
  ' o',
  '',
  'o'.repeat(129),
  'o\u00e9',
  'o\u{1f600}',
  'o%00',
  'o/x',
];
const BUSIFAVOR = '/v3/marketing/busifavor';
/** The sub-objects of a 商家券 stock body, each of which once stored any member it was given. */
const STOCK_PARTS = ['stock_send_rule', 'coupon_use_rule', 'custom_entrance', 'display_pattern_info'] as const;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A JSON text with `"__DEEP__"` replaced by an array nested `depth` levels. */
function withDeep(json: string, depth: number): string {
  return json.replace('"__DEEP__"', `${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** Percent-encodes a value for a path or query; lone surrogates, which have no UTF-8, as the bytes of one. */
function encodeOdd(v: string): string {
  return v
    .split(/(\p{Cs})/u)
    .map((part) => (/^\p{Cs}$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

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
  const busifavorSend = (n: number, over: Record<string, unknown> = {}) => ({
    openid: ctx.openid,
    appid: ctx.appid,
    stock_id: ctx.busifavorStockId,
    out_request_no: `bbad${ctx.seed}x${n}`,
    ...over,
  });
  const stock = (n: number) => {
    const body = busifavorStockBody(ctx.mchid, 'WECHATPAY_MODE') as Record<string, Record<string, unknown>>;
    return {
      ...body,
      out_request_no: `bstockbad${ctx.seed}x${n}`,
      custom_entrance: { hall_id: 'hall1', code_display_mode: 'QRCODE' },
    } as Record<string, unknown>;
  };
  const withMember = (body: Record<string, unknown>, part: string, key: string, value: unknown) => ({
    ...body,
    [part]: { ...(body[part] as Record<string, unknown>), [key]: value },
  });
  const depth = () => (rand() < 0.3 ? 9 + Math.floor(rand() * 20) : 3000 + Math.floor(rand() * 20_000));
  const send = (kind: string, over: Partial<BadRequest>, expect: BadRequest['expect'] = PARAM): BadRequest => ({
    kind,
    method: 'POST',
    path: sendPath,
    body: '',
    expect,
    ...over,
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
    // Deep nesting inside each sub-object of a 商家券 stock, at a key the API defines or one it does not
    // (once a RangeError in the request digest, answered 500), and in a modification.
    (n) => {
      const part = pickOf(STOCK_PARTS);
      const known = {
        stock_send_rule: 'max_coupons_by_day',
        coupon_use_rule: 'use_method',
        custom_entrance: 'appid',
        display_pattern_info: 'description',
      }[part];
      const key = rand() < 0.5 ? 'x' : known;
      const body = JSON.stringify(withMember(stock(n), part, key, '__DEEP__'));
      return send(`deeply nested 商家券 stock: ${part}`, {
        path: `${BUSIFAVOR}/stocks`,
        body: withDeep(body, depth()),
      });
    },
    (n) => {
      const part = pickOf(['custom_entrance', 'display_pattern_info', 'coupon_use_rule', 'stock_send_rule'] as const);
      const body = JSON.stringify({ out_request_no: `bmodbad${ctx.seed}x${n}`, [part]: { x: '__DEEP__' } });
      return send(`deeply nested 商家券 modification: ${part}`, {
        method: 'PATCH',
        path: `${BUSIFAVOR}/stocks/${ctx.busifavorStockId}`,
        body: withDeep(body, depth()),
      });
    },
    // Members no API defines, in every sub-object and at the top: once stored and echoed back.
    (n) => {
      const part = pickOf([...STOCK_PARTS, 'notify_config', 'coupon_use_rule/coupon_available_time'] as const);
      const body = stock(n);
      const junk = pickOf(['x', 'p'.repeat(1 + Math.floor(rand() * 200_000)), { a: 1 }, [1, 2]]);
      let changed: Record<string, unknown>;
      if (part === 'coupon_use_rule/coupon_available_time') {
        const rule = body.coupon_use_rule as Record<string, unknown>;
        changed = { ...body, coupon_use_rule: withMember(rule, 'coupon_available_time', 'extra', junk) };
      } else {
        changed = withMember(
          part === 'notify_config' ? { ...body, notify_config: { notify_appid: ctx.appid } } : body,
          part,
          'extra',
          junk,
        );
      }
      return send(`unknown field: ${part}`, { path: `${BUSIFAVOR}/stocks`, body: JSON.stringify(changed) });
    },
    (n) =>
      send('unknown field: top level', {
        path: `${BUSIFAVOR}/stocks`,
        body: JSON.stringify({ ...stock(n), extra: 1 }),
      }),
    (n) => send('unknown field: favor send', { body: JSON.stringify({ ...good(n), coupon_extra: 'x' }) }),
    (n) =>
      send('unknown field: 商家券 send', {
        path: `${BUSIFAVOR}/coupons/send`,
        body: JSON.stringify(busifavorSend(n, { coupon_type: 'NORMAL' })),
      }),
    // Control characters and lone surrogates in identifiers: in the body, the query and the path.
    (n) => {
      const field = pickOf(['stock_id', 'appid', 'stock_creator_mchid', 'out_request_no'] as const);
      const body = good(n);
      return send(`control character in body: favor ${field}`, {
        body: JSON.stringify({ ...body, [field]: `${body[field]}${pickOf(CONTROLS)}` }),
      });
    },
    (n) => {
      const field = pickOf(['openid', 'appid', 'stock_id', 'out_request_no'] as const);
      const body = busifavorSend(n);
      return send(`control character in body: 商家券 ${field}`, {
        path: `${BUSIFAVOR}/coupons/send`,
        body: JSON.stringify({ ...body, [field]: `${body[field]}${pickOf(CONTROLS)}` }),
      });
    },
    (n) => {
      const field = pickOf(['belong_merchant', 'out_request_no', 'stock_name', 'goods_name'] as const);
      const body = stock(n);
      return send(`control character in body: 商家券 stock ${field}`, {
        path: `${BUSIFAVOR}/stocks`,
        body: JSON.stringify({ ...body, [field]: `${body[field]}${pickOf(CONTROLS)}` }),
      });
    },
    () => {
      const odd = encodeOdd(pickOf(CONTROLS));
      const path = pickOf([
        `/v3/marketing/favor/users/${ctx.openid}/coupons?appid=${ctx.appid}${odd}`,
        `/v3/marketing/favor/users/${ctx.openid}/coupons?appid=${ctx.appid}&stock_id=${ctx.stockId}${odd}`,
        `/v3/marketing/favor/users/${ctx.openid}/coupons/1?appid=${ctx.appid}${odd}`,
        `/v3/marketing/favor/stocks/${ctx.stockId}?stock_creator_mchid=${ctx.mchid}${odd}`,
        `/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=${ctx.mchid}${odd}`,
        `${BUSIFAVOR}/users/${ctx.openid}/coupons?appid=${ctx.appid}${odd}`,
        `${BUSIFAVOR}/users/${ctx.openid}/coupons?appid=${ctx.appid}&stock_id=${ctx.busifavorStockId}${odd}`,
        `${BUSIFAVOR}/callbacks?mchid=${ctx.mchid}${odd}`,
      ]);
      return send('control character in query', { method: 'GET', path });
    },
    () => {
      const odd = encodeOdd(pickOf(CONTROLS));
      const path = pickOf([
        `/v3/marketing/favor/stocks/${ctx.stockId}${odd}?stock_creator_mchid=${ctx.mchid}`,
        `/v3/marketing/favor/users/${ctx.openid}${odd}/coupons?appid=${ctx.appid}`,
        `${BUSIFAVOR}/stocks/${ctx.busifavorStockId}${odd}`,
        `${BUSIFAVOR}/users/${ctx.openid}${odd}/coupons?appid=${ctx.appid}`,
        `${BUSIFAVOR}/users/${ctx.openid}/coupons/code1/appids/${ctx.appid}${odd}`,
      ]);
      return send('control character in path', { method: 'GET', path });
    },
    // 商家券 and 商品券 openids held to the favor family's rule: in the body, and in the user queries.
    (n) =>
      send('odd openid: 商家券 send', {
        path: `${BUSIFAVOR}/coupons/send`,
        body: JSON.stringify(busifavorSend(n, { openid: pickOf(ODD_OPENIDS) })),
      }),
    (n) =>
      send('odd openid: 商品券 send', {
        path: `${BUSIFAVOR}/product-coupons/send`,
        body: JSON.stringify(busifavorSend(n, { openid: pickOf(ODD_OPENIDS), coupon_type: 'NORMAL' })),
      }),
    () => {
      const openid = encodeOdd(pickOf(ODD_OPENIDS.filter((o) => o !== '' && !o.includes('/'))));
      return send('odd openid: user coupon queries', {
        method: 'GET',
        path: pickOf([
          `${BUSIFAVOR}/users/${openid}/coupons?appid=${ctx.appid}`,
          `${BUSIFAVOR}/users/${openid}/coupons/code1/appids/${ctx.appid}`,
          `/v3/marketing/favor/users/${openid}/coupons?appid=${ctx.appid}`,
        ]),
      });
    },
    // The signature covers the bytes sent: a BOM or an invalid byte put in after signing fails it; the
    // same bytes signed as sent pass it and are then refused as a body that is not plain UTF-8 JSON.
    (n) => {
      const text = JSON.stringify(good(n));
      return rand() < 0.5
        ? send('BOM added after signing', { body: text, sentBytes: Buffer.concat([BOM, Buffer.from(text)]) }, SIGN)
        : send('BOM signed', { body: `\ufeff${text}` });
    },
    (n) => {
      const text = JSON.stringify({ ...good(n), out_request_no: `bad${n}\ufffd` });
      const raw = Buffer.from(text);
      const at = raw.indexOf(Buffer.from('\ufffd'));
      const withFF = Buffer.concat([raw.subarray(0, at), Buffer.from([0xff]), raw.subarray(at + 3)]);
      return rand() < 0.5
        ? send('0xFF where U+FFFD was signed', { body: text, sentBytes: withFF }, SIGN)
        : send('invalid UTF-8 signed', {
            body: text,
            bytes: pickOf([withFF, Buffer.concat([raw, Buffer.from([0xed, 0xa0, 0x80])])]),
          });
    },
    // Dot segments: never resolved into another route, whether signed for the resolved path or as sent.
    (n) => {
      const sent = pickOf([
        `/v3/marketing/favor/users/zz/../${ctx.openid}/coupons`,
        `/v3/marketing/favor/users/zz/%2e%2e/${ctx.openid}/coupons`,
        `/v3/marketing/favor/users/zz/%2E%2e/${ctx.openid}/coupons`,
        `/v3/marketing/favor/users/./${ctx.openid}/coupons`,
        `/v3/marketing/busifavor/../favor/users/${ctx.openid}/coupons`,
      ]);
      const body = JSON.stringify(good(n));
      return rand() < 0.5
        ? send('dot segments (signed for the resolved path)', { body, sentPath: sent })
        : send('dot segments (signed as sent)', { path: sent, body });
    },
    // A backslash (which the URL parser reads as a slash) is refused by the HTTP server before any route.
    (n) =>
      send(
        'backslash in the path',
        { path: `/v3/marketing/favor/users/zz\\..\\${ctx.openid}/coupons`, body: JSON.stringify(good(n)) },
        { status: 400, code: undefined },
      ),
    (n) =>
      send('encoded slash in a path parameter', {
        path: `/v3/marketing/favor/users/zz%2F${ctx.openid}/coupons`,
        body: JSON.stringify(good(n)),
      }),
    // The Authorization parameters are separated by commas (spaces around them allowed), nothing else.
    (n) =>
      send(
        'bad authorization separator',
        { body: JSON.stringify(good(n)), tweak: { separator: pickOf([';', 'X', ' ', ',,', ', ,', '\t;', '&']) } },
        SIGN,
      ),
    // XML where JSON belongs (entity expansion, external entities, unclosed tags): refused for its
    // Content-Type before the body is read.
    () =>
      post('hostile xml', pickOf(HOSTILE_XML), { status: 400, code: 'INVALID_REQUEST' }, { contentType: 'text/xml' }),
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
