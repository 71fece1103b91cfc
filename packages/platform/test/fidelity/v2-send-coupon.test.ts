import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { loadPrivateKey, v2Verify } from '@wxcoupon/sdk/crypto';
import { generateRsaKeyPair, issueCertificate } from '@wxcoupon/sdk/pki';
import { sdkFor, stockBody } from '../helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { type V2Answer, type V2TestClient, v2TestClient } from '../v2-support.js';
import { assertSeedText } from './seed-text.js';

// Seed pages 发放代金券 (APIv2 POST /mmpaymkttransfers/send_coupon), two versions of one page: the
// request table and the response table row by row, as printed in each version. Neither version carries
// an error table; the page's 错误码 table is the one both transcriptions of the official v2 page agree
// on (coupon-api.md §2.2), copied here with its 描述 column, which is what err_code_des must say.

const SEND = '/mmpaymkttransfers/send_coupon';

// 请求参数, seed 000 (type column) and seed 001 (which adds the enum values to version and type).
const REQUEST_ROWS = {
  xml: { seed000: 'xml | object | 声明请求的`XML`数据结构', seed001: 'xml | object | 声明请求的XML 数据结构' },
  coupon_stock_id: {
    seed000: 'coupon_stock_id | string | 代金券批次id',
    seed001: 'coupon_stock_id | string | 代金券批次id',
  },
  openid_count: { seed000: 'openid_count | integer | openid记录数', seed001: 'openid_count | integer | openid记录数' },
  partner_trade_no: {
    seed000: 'partner_trade_no | string | 商户单据号',
    seed001: 'partner_trade_no | string | 商户单据号',
  },
  openid: { seed000: 'openid | string | 用户openid', seed001: 'openid | string | 用户openid' },
  appid: { seed000: 'appid | string | 公众账号ID', seed001: 'appid | string | 公众账号ID' },
  mch_id: { seed000: 'mch_id | string | 商户号', seed001: 'mch_id | string | 商户号' },
  op_user_id: { seed000: 'op_user_id | string | 操作员', seed001: 'op_user_id | string | 操作员' },
  device_info: { seed000: 'device_info | string | 设备号', seed001: 'device_info | string | 设备号' },
  version: { seed000: 'version | string | 协议版本', seed001: 'version | string | 协议版本1.0 枚举值' },
  type: { seed000: 'type | string | 协议类型', seed001: 'type | string | 协议类型XML 枚举值' },
  security: { seed000: 'security | `true` | 声明加载商户API证书', seed001: 'security | true | 声明加载商户API证书' },
} as const;

// 返回字典, identical in both versions (seed 001 drops the markup): name, type, required, 描述.
const RESPONSE_ROWS = [
  ['return_code', 'string', true, '返回状态码SUCCESS | FAIL 枚举值之一'],
  ['return_msg', 'string', false, '返回信息'],
  ['appid', 'string', true, '公众账号ID'],
  ['mch_id', 'string', true, '商户号'],
  ['device_info', 'string', false, '设备号'],
  ['nonce_str', 'string', true, '随机字符串'],
  ['sign', 'string', true, '签名'],
  ['result_code', 'string', true, '业务结果SUCCESS | FAIL 枚举值之一'],
  ['err_code', 'string', false, '错误代码'],
  ['err_code_des', 'string', false, '错误代码描述'],
  ['coupon_stock_id', 'string', true, '代金券批次id'],
  ['resp_count', 'integer', true, '返回记录数'],
  ['success_count', 'integer', true, '成功记录数'],
  ['failed_count', 'integer', true, '失败记录数'],
  ['openid', 'string', true, '用户标识'],
  ['ret_code', 'string', true, '返回码'],
  ['coupon_id', 'string', true, '代金券id'],
  ['ret_msg', 'string', true, '返回信息'],
] as const;

// 错误码: err_code | 描述, as printed. `layer` is where the platform answers it: `return` (return_code=FAIL,
// the text in return_msg) before the caller is authenticated, `result` (result_code=FAIL, err_code_des).
const ERROR_ROWS = {
  USER_AL_GET_COUPON: { text: '你已领取过该代金券', layer: 'result' },
  'NETWORK ERROR': { text: '网络环境不佳，请重试', layer: 'result' },
  AL_STOCK_OVER: { text: '活动已结束', layer: 'result' },
  FREQ_OVER_LIMIT: { text: '超过发放频率限制，请稍后再试', layer: 'result' },
  PARAM_ERROR: { text: '校验参数错误（会返回具体哪个参数错误）', layer: 'result' },
  SIGN_ERROR: { text: '签名错误', layer: 'return' },
  CA_ERROR: { text: '证书有误', layer: 'return' },
  REQ_PARAM_XML_ERR: { text: '输入参数xml格式有误', layer: 'return' },
  COUPON_STOCK_ID_EMPTY: { text: '批次ID为空', layer: 'result' },
  MCH_ID_EMPTY: { text: '商户ID为空', layer: 'return' },
  CODE_2_ID_ERR: { text: '商户id有误', layer: 'return' },
  OPEN_ID_EMPTY: { text: '用户openid为空', layer: 'result' },
  CA_VERIFY_FAILED: { text: '证书验证失败', layer: 'return' },
  STOCK_IS_NOT_VALID: { text: '抱歉，该代金券已失效', layer: 'result' },
  // Not in the page's table; seen in production (coupon-api.md §2.2 [CM]).
  STOCK_AMOUNT_NOT_ENOUGH: { text: '代金券批次可用预算不足', layer: 'result' },
} as const;

// ERR_VERIFY_SSL_SERIAL (获取客户端证书序列号失败!) and ERR_VERIFY_SSL_SN (获取客户端证书特征名称(DN)域失败!)
// are rows the send cannot produce here: a certificate that reached the handler always has both.

type ErrorRow = keyof typeof ERROR_ROWS;
type RequestRow = keyof typeof REQUEST_ROWS;

/** PARAM_ERROR's 描述 asks for the wrong parameter to be named: its text is the 描述's head plus the field. */
const PARAM_HEAD = ERROR_ROWS.PARAM_ERROR.text.replace(/（.*）$/, '');

describe('fidelity: 发放代金券 APIv2 send_coupon (seed pages 000 and 001)', () => {
  let t: TestPlatform;
  let wxpay: Wechatpay;
  let v2: V2TestClient;
  let mchid: string;
  let appid: string;
  let key: string;
  let tlsUrl: string;
  let ca: string;
  let demoCert: { cert: string; key: string };
  let seq = 0;
  const throttled = new Set<string>();
  const produced = new Set<ErrorRow>();
  const walked = new Set<RequestRow>();
  /** The row of both seed versions an assertion is about (and a note that it was walked). */
  const requestRow = (name: RequestRow) => {
    walked.add(name);
    return `request row "${REQUEST_ROWS[name].seed000}" (seed 001: "${REQUEST_ROWS[name].seed001}")`;
  };

  before(async () => {
    t = await startTestPlatform({
      allowFaultHeaders: true,
      rateLimiter: { tryAcquire: (k: string) => !throttled.has(k.split(':')[0] ?? '') },
    });
    const creds = t.platform.credentials;
    ({ mchid, appid } = creds);
    key = creds.apiV2Key;
    wxpay = sdkFor(creds, { fetch: t.platform.fetch });
    tlsUrl = (await t.platform.listen({ port: 0 })).tlsUrl as string;
    ca = readFileSync(creds.caCertificateFile, 'utf8');
    demoCert = { cert: readFileSync(creds.certificateFile, 'utf8'), key: readFileSync(creds.privateKeyFile, 'utf8') };
    v2 = v2TestClient(tlsUrl, ca, demoCert);
  });
  after(async () => {
    v2.close();
    await t.close();
  });

  async function stock(rule: Record<string, unknown> = {}, start = true): Promise<string> {
    const body = stockBody(mchid, { available_begin_time: new Date().toISOString() }, rule);
    const { data } = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
      json: body,
    });
    if (start) {
      await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
        stock_id: data.stock_id,
        json: { stock_creator_mchid: mchid },
      });
    }
    return data.stock_id;
  }

  const fields = (stockId: string, over: Record<string, string> = {}) => ({
    coupon_stock_id: stockId,
    openid_count: '1',
    partner_trade_no: `${mchid}20261202${String(++seq).padStart(6, '0')}`,
    openid: `o-v2-fidelity-${seq}`,
    appid,
    mch_id: mchid,
    ...over,
  });

  /** A signed answer with every data-required row of the response table, in its documented shape. */
  function assertResponseShape(a: V2Answer, sent: Record<string, string>): void {
    assert.equal(a.status, 200, a.text);
    assert.ok(v2Verify(a.fields, key), `signed with the APIv2 key: ${a.text}`);
    const failed = a.fields['result_code'] === 'FAIL';
    for (const [name, type, required, desc] of RESPONSE_ROWS) {
      const value = a.fields[name];
      const row = `response row ${name} (${desc})`;
      const present = required || (failed && name.startsWith('err_code')) || (name === 'device_info' && sent[name]);
      if (present) assert.notEqual(value, undefined, `${row}: present in ${a.text}`);
      if (value === undefined) continue;
      if (type === 'integer') assert.match(value, /^\d+$/, `${row}: an integer`);
      else assert.equal(typeof value, 'string', row);
    }
    assert.match(a.fields['return_code'] ?? '', /^(SUCCESS|FAIL)$/);
    assert.match(a.fields['result_code'] ?? '', /^(SUCCESS|FAIL)$/);
    assert.equal(a.fields['appid'], sent['appid']);
    assert.equal(a.fields['mch_id'], sent['mch_id']);
    assert.equal(a.fields['coupon_stock_id'], sent['coupon_stock_id']);
    assert.equal(a.fields['openid'], sent['openid']);
    if (sent['device_info']) assert.equal(a.fields['device_info'], sent['device_info']);
    assert.ok((a.fields['nonce_str'] ?? '').length <= 32 && a.fields['nonce_str'] !== '');
    assert.match(a.fields['sign'] ?? '', /^[0-9A-F]{32}$/);
    assert.equal(a.fields['resp_count'], '1');
    if (failed) {
      assert.equal(a.fields['success_count'], '0');
      assert.equal(a.fields['failed_count'], '1');
      assert.equal(a.fields['ret_code'], 'FAIL');
      assert.equal(a.fields['coupon_id'], '');
      assert.equal(a.fields['ret_msg'], a.fields['err_code_des']);
    } else {
      assert.equal(a.fields['success_count'], '1');
      assert.equal(a.fields['failed_count'], '0');
      assert.equal(a.fields['ret_code'], 'SUCCESS');
      assert.match(a.fields['coupon_id'] ?? '', /^\d+$/);
      assert.equal(a.fields['ret_msg'], '');
      assert.equal(a.fields['err_code'], undefined);
      assert.equal(a.fields['err_code_des'], undefined);
    }
  }

  /** The answer to one error-table row: its err_code and its 描述, in the layer the platform answers it. */
  function assertErrorRow(a: V2Answer, code: ErrorRow, field?: string): void {
    const row = ERROR_ROWS[code];
    const name = `error row ${code} ${row.text}`;
    assert.equal(a.status, 200, name);
    assert.equal(a.fields['err_code'], code, `${name}: ${a.text}`);
    if (row.layer === 'return') {
      assert.equal(a.fields['return_code'], 'FAIL', name);
      assertSeedText(a.fields['return_msg'] ?? '', row.text, name);
    } else {
      assert.equal(a.fields['return_code'], 'SUCCESS', name);
      assert.equal(a.fields['result_code'], 'FAIL', name);
      const des = a.fields['err_code_des'] ?? '';
      if (code === 'PARAM_ERROR') {
        assert.ok(des.startsWith(`${PARAM_HEAD}：${field} `), `${name}: names ${field}: ${des}`);
      } else {
        assertSeedText(des, row.text, name);
      }
    }
    produced.add(code);
  }

  test('the seed example (request table rows with their example values) is accepted and answered in full', async () => {
    const stockId = await stock();
    // The seed example: op_user_id is the merchant, device_info empty, version 1.0, type XML.
    const sent = fields(stockId, { op_user_id: mchid, device_info: '', version: '1.0', type: 'XML' });
    const a = await v2.send(SEND, sent, key);
    assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
    assertResponseShape(a, sent);
    assert.equal(a.fields['device_info'], undefined, 'an empty device_info is not echoed');
  });

  test('request rows: each field is accepted at its documented length and refused beyond it', async () => {
    const stockId = await stock();
    const accepted: Array<[RequestRow, Record<string, string>]> = [
      ['coupon_stock_id', {}],
      ['openid_count', { openid_count: '1' }],
      ['appid', {}],
      ['mch_id', {}],
      ['partner_trade_no', { partner_trade_no: `${mchid}${'9'.repeat(64 - mchid.length)}` }],
      ['openid', { openid: `o${'x'.repeat(127)}` }],
      ['op_user_id', { op_user_id: 'o'.repeat(32) }],
      ['device_info', { device_info: 'D'.repeat(32) }],
      ['version', { version: '1.0' }],
      ['type', { type: 'XML' }],
    ];
    for (const [name, over] of accepted) {
      const sent = fields(stockId, over);
      const a = await v2.send(SEND, sent, key);
      assert.equal(a.fields['result_code'], 'SUCCESS', `${requestRow(name)} accepted: ${a.text}`);
      assertResponseShape(a, sent);
    }
    const refused: Array<[RequestRow, Record<string, string>]> = [
      ['coupon_stock_id', { coupon_stock_id: 'stock-1' }],
      ['coupon_stock_id', { coupon_stock_id: '1'.repeat(21) }],
      ['openid_count', { openid_count: '2' }],
      ['openid_count', { openid_count: 'one' }],
      ['openid_count', { openid_count: '' }],
      ['partner_trade_no', { partner_trade_no: '9'.repeat(65) }],
      ['partner_trade_no', { partner_trade_no: '' }],
      ['openid', { openid: `o${'x'.repeat(128)}` }],
      ['appid', { appid: 'w'.repeat(33) }],
      ['appid', { appid: '' }],
      ['op_user_id', { op_user_id: 'o'.repeat(33) }],
      ['device_info', { device_info: 'D'.repeat(33) }],
      ['version', { version: '2.0' }],
      ['type', { type: 'JSON' }],
    ];
    for (const [name, over] of refused) {
      const sent = fields(stockId, over);
      const a = await v2.send(SEND, sent, key);
      assert.equal(a.fields['err_code'], 'PARAM_ERROR', `${requestRow(name)} refused: ${JSON.stringify(over)}`);
      assertErrorRow(a, 'PARAM_ERROR', name);
      assertResponseShape(a, sent);
    }
  });

  test('request rows: the ids with an *_EMPTY code, mch_id, xml and security refuse in their own rows', async () => {
    const stockId = await stock();
    requestRow('coupon_stock_id');
    const noStock = fields(stockId, { coupon_stock_id: '' });
    assertErrorRow(await v2.send(SEND, noStock, key), 'COUPON_STOCK_ID_EMPTY');
    const noOpenid = fields(stockId, { openid: '' });
    assertErrorRow(await v2.send(SEND, noOpenid, key), 'OPEN_ID_EMPTY');
    requestRow('mch_id');
    assertErrorRow(await v2.send(SEND, fields(stockId, { mch_id: '' }), key), 'MCH_ID_EMPTY');
    assertErrorRow(await v2.send(SEND, fields(stockId, { mch_id: '1999999999' }), key), 'CODE_2_ID_ERR');
    // xml: the body is one <xml> document, or nothing is read.
    requestRow('xml');
    assertErrorRow(await v2.raw(SEND, '{"coupon_stock_id":"1"}'), 'REQ_PARAM_XML_ERR');
    assertErrorRow(await v2.raw(SEND, '<!DOCTYPE xml [<!ENTITY a "b">]><xml><a>&a;</a></xml>'), 'REQ_PARAM_XML_ERR');
    // security: true: without the merchant API certificate there is no send.
    requestRow('security');
    const bare = v2TestClient(tlsUrl, ca);
    try {
      assertErrorRow(await bare.send(SEND, fields(stockId), key), 'CA_ERROR');
    } finally {
      bare.close();
    }
    assertErrorRow(await v2.send(SEND, fields(stockId), 'K'.repeat(32)), 'SIGN_ERROR');
  });

  test('error row CA_VERIFY_FAILED: a certificate the platform did not issue', async () => {
    const foreign = await generateRsaKeyPair();
    const root = issueCertificate({
      subject: { CN: 'Not the platform CA' },
      publicKey: foreign.publicKey,
      signingKey: foreign.privateKey,
      isCA: true,
    });
    const forged = issueCertificate({
      subject: { CN: mchid },
      publicKey: new X509Certificate(demoCert.cert).publicKey,
      signingKey: foreign.privateKey,
      issuer: root.x509,
      serial: t.platform.credentials.serial,
      extKeyUsage: ['clientAuth'],
    });
    const privateKey = loadPrivateKey(demoCert.key, 'key').export({ type: 'pkcs8', format: 'pem' }) as string;
    const peer = v2TestClient(tlsUrl, ca, { cert: forged.pem, key: privateKey });
    try {
      assertErrorRow(await peer.send(SEND, fields(await stock()), key), 'CA_VERIFY_FAILED');
    } finally {
      peer.close();
    }
  });

  test('error rows of the business: stock state, budget, per-user limit, frequency, network', async () => {
    const check = async (stockId: string, code: ErrorRow, over: Record<string, string> = {}, headers = {}) => {
      const sent = fields(stockId, over);
      const a = await v2.send(SEND, sent, key, undefined, headers);
      assertErrorRow(a, code);
      assertResponseShape(a, sent);
    };
    await check(await stock({}, false), 'STOCK_IS_NOT_VALID');
    const stopped = await stock({}, false);
    await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/stop', {
      stock_id: stopped,
      json: { stock_creator_mchid: mchid },
    });
    await check(stopped, 'AL_STOCK_OVER');

    const small = await stock({ max_coupons: 5, max_amount: 500 });
    for (let i = 0; i < 5; i++)
      assert.equal((await v2.send(SEND, fields(small), key)).fields['result_code'], 'SUCCESS');
    await check(small, 'STOCK_AMOUNT_NOT_ENOUGH');

    const once = await stock({ max_coupons_per_user: 1 });
    assert.equal(
      (await v2.send(SEND, fields(once, { openid: 'o-v2-fidelity-once' }), key)).fields['result_code'],
      'SUCCESS',
    );
    await check(once, 'USER_AL_GET_COUPON', { openid: 'o-v2-fidelity-once' });

    const running = await stock();
    throttled.add(mchid);
    try {
      await check(running, 'FREQ_OVER_LIMIT');
    } finally {
      throttled.delete(mchid);
    }
    await check(running, 'NETWORK ERROR', {}, { 'Wxcoupon-Fault': 'NETWORK ERROR' });
    const unknown = await v2.send(SEND, fields('98765432109876'), key);
    assertErrorRow(unknown, 'PARAM_ERROR', 'coupon_stock_id');
  });

  test('Accept-Language chooses the language of return_msg, err_code_des and ret_msg; codes never change', async () => {
    const stockId = await stock();
    const expected = {
      'zh-CN': { empty: '用户openid为空', xml: '输入参数xml格式有误', param: '校验参数错误：openid_count 目前仅支持1' },
      'zh-HK': { empty: '用戶openid為空', xml: '輸入參數xml格式有誤', param: '校驗參數錯誤：openid_count 目前僅支持1' },
      'zh-TW': {
        empty: '使用者openid為空',
        xml: '輸入參數xml格式有誤',
        param: '校驗參數錯誤：openid_count 目前僅支援1',
      },
      en: {
        empty: 'openid is empty',
        xml: 'The request XML is malformed',
        param: 'Parameter check failed: openid_count only 1 is supported',
      },
    } as const;
    for (const [language, text] of Object.entries(expected)) {
      const headers = { 'Accept-Language': language };
      const empty = await v2.send(SEND, fields(stockId, { openid: '' }), key, undefined, headers);
      assert.equal(empty.fields['err_code'], 'OPEN_ID_EMPTY', language);
      assert.equal(empty.fields['err_code_des'], text.empty, language);
      assert.equal(empty.fields['ret_msg'], text.empty, language);
      assert.ok(v2Verify(empty.fields, key), `${language}: signed over the text it carries`);
      assert.equal(empty.headers['content-language'], language);
      const param = await v2.send(SEND, fields(stockId, { openid_count: '2' }), key, undefined, headers);
      assert.equal(param.fields['err_code'], 'PARAM_ERROR', language);
      assert.equal(param.fields['err_code_des'], text.param, language);
      const xml = await v2.raw(SEND, 'not xml', headers);
      assert.equal(xml.fields['err_code'], 'REQ_PARAM_XML_ERR', language);
      assert.equal(xml.fields['return_msg'], text.xml, language);
      assert.equal(xml.headers['content-language'], language);
    }
    const fallback = await v2.send(SEND, fields(stockId), key, undefined, { 'Accept-Language': 'fr-FR' });
    assert.equal(fallback.fields['result_code'], 'SUCCESS', fallback.text);
    assert.equal(fallback.headers['content-language'], 'zh-CN', 'an unspoken language falls back to zh-CN');
    const none = await v2.send(SEND, fields(stockId, { openid: '' }), key);
    assert.equal(none.fields['err_code_des'], '用户openid为空');
    assert.equal(none.headers['content-language'], 'zh-CN');
  });

  test('a merchant set to decimal err_codes gets them on business failures; the texts and return layer stay', async () => {
    const set = (enabled: boolean) => t.admin('PUT', `/merchants/${mchid}/v2-decimal-err-code`, { enabled });
    const once = await stock({ max_coupons_per_user: 1 });
    const openid = 'o-v2-fidelity-decimal';
    assert.equal((await v2.send(SEND, fields(once, { openid }), key)).fields['result_code'], 'SUCCESS');
    assert.equal((await set(true)).status, 200);
    try {
      // The official failure sample: 268456007 with 你已领取过该代金券.
      const sent = fields(once, { openid });
      const again = await v2.send(SEND, sent, key);
      assert.equal(again.fields['err_code'], '268456007', again.text);
      assert.equal(again.fields['err_code_des'], '你已领取过该代金券');
      assertResponseShape(again, sent);
      const param = await v2.send(SEND, fields(once, { openid_count: '2' }), key);
      assert.equal(param.fields['err_code'], '268456001', param.text);
      assert.match(param.fields['err_code_des'] ?? '', /^校验参数错误：openid_count/);
      const empty = await v2.send(SEND, fields(once, { openid: '' }), key);
      assert.equal(empty.fields['err_code'], '268456003', empty.text);
      // Communication-layer failures carry no business result: their names stay.
      assert.equal((await v2.send(SEND, fields(once), 'K'.repeat(32))).fields['err_code'], 'SIGN_ERROR');
    } finally {
      assert.equal((await set(false)).status, 200);
    }
    const symbolic = await v2.send(SEND, fields(once, { openid }), key);
    assert.equal(symbolic.fields['err_code'], 'USER_AL_GET_COUPON', 'off again: the names the table documents');
    const unknown = await t.admin('PUT', '/merchants/42/v2-decimal-err-code', { enabled: true });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.data.code, 'MCH_NOT_EXISTS');
  });

  test('every request-table row of both seed versions was walked', () => {
    for (const name of Object.keys(REQUEST_ROWS) as RequestRow[]) assert.ok(walked.has(name), `${name} was walked`);
  });

  test('every error-table row the send can produce was answered with its own err_code and 描述', () => {
    for (const code of Object.keys(ERROR_ROWS) as ErrorRow[]) assert.ok(produced.has(code), `${code} was produced`);
  });
});
