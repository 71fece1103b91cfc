import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { v2Sign, v2Verify } from '@wxcoupon/sdk/crypto';
import { buildXml } from '@wxcoupon/sdk/xml';
import { addMerchant, sdkFor, stockBody } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { type V2Answer, type V2TestClient, v2TestClient } from './v2-support.js';

// The APIv2 代金券 endpoints over a real HTTPS socket with mutual TLS: signatures both ways, the two
// result layers, every documented error code, idempotency, the budgets shared with APIv3, and
// hostile XML refused quickly without side effects.

const SEND = '/mmpaymkttransfers/send_coupon';
const QUERY_STOCK = '/mmpaymkttransfers/query_coupon_stock';
const QUERY_COUPON = '/mmpaymkttransfers/querycouponsinfo';

describe('APIv2 代金券 (XML)', () => {
  let t: TestPlatform;
  let wxpay: Wechatpay;
  let v2: V2TestClient;
  let mchid: string;
  let appid: string;
  let key: string;
  let tlsUrl: string;
  let ca: string;
  let seq = 0;
  // Merchants whose calls the rate limiter refuses (to reach FREQ_OVER_LIMIT deterministically).
  const throttled = new Set<string>();
  // The platform's business clock, moved forward when a test needs a stock's window to have ended.
  const shift = { ms: 0 };

  before(async () => {
    t = await startTestPlatform({
      clock: () => Date.now() + shift.ms,
      rateLimiter: { tryAcquire: (k: string) => !throttled.has(k.split(':')[0] ?? '') },
    });
    const creds = t.platform.credentials;
    ({ mchid, appid } = creds);
    key = creds.apiV2Key;
    wxpay = sdkFor(creds, { fetch: t.platform.fetch });
    const listening = await t.platform.listen({ port: 0 });
    tlsUrl = listening.tlsUrl as string;
    ca = readFileSync(creds.caCertificateFile, 'utf8');
    v2 = v2TestClient(tlsUrl, ca, {
      cert: readFileSync(creds.certificateFile, 'utf8'),
      key: readFileSync(creds.privateKeyFile, 'utf8'),
    });
  });
  after(async () => {
    v2.close();
    await t.close();
  });

  async function stock(rule: Record<string, unknown> = {}, start = true, client = wxpay, creator = mchid) {
    const body = stockBody(creator, { available_begin_time: new Date(Date.now()).toISOString() }, rule);
    const { data } = await client.request<{ stock_id: string }>('POST', 'v3/marketing/favor/coupon-stocks', {
      json: body,
    });
    if (start) {
      await client.request('POST', 'v3/marketing/favor/stocks/{stock_id}/start', {
        stock_id: data.stock_id,
        json: { stock_creator_mchid: creator },
      });
    }
    return data.stock_id;
  }

  async function distributed(stockId: string): Promise<number> {
    const { data } = await wxpay.request<{ distributed_coupons: number }>(
      'GET',
      'v3/marketing/favor/stocks/{stock_id}',
      {
        stock_id: stockId,
        query: { stock_creator_mchid: mchid },
      },
    );
    return data.distributed_coupons;
  }

  const sendFields = (stockId: string, over: Record<string, string> = {}) => ({
    coupon_stock_id: stockId,
    openid_count: '1',
    partner_trade_no: `${mchid}20261122${String(++seq).padStart(6, '0')}`,
    openid: `o-v2-user-${seq}`,
    appid,
    mch_id: mchid,
    ...over,
  });

  function assertSigned(a: V2Answer) {
    assert.equal(a.status, 200);
    assert.equal(a.fields['return_code'], 'SUCCESS', a.text);
    assert.ok(v2Verify(a.fields, key), `the answer is signed with the merchant's APIv2 key: ${a.text}`);
  }

  function assertBusinessFailure(a: V2Answer, code: string) {
    assertSigned(a);
    assert.equal(a.fields['result_code'], 'FAIL', a.text);
    assert.equal(a.fields['err_code'], code, a.text);
    assert.ok((a.fields['err_code_des'] ?? '').length > 0);
  }

  function assertSendFailure(a: V2Answer, code: string) {
    assertBusinessFailure(a, code);
    assert.equal(a.fields['ret_code'], 'FAIL');
    assert.equal(a.fields['coupon_id'], '');
    assert.equal(a.fields['success_count'], '0');
    assert.equal(a.fields['failed_count'], '1');
    assert.ok((a.fields['ret_msg'] ?? '').length > 0);
  }

  function assertCommunicationFailure(a: V2Answer, code: string) {
    assert.equal(a.status, 200);
    assert.equal(a.fields['return_code'], 'FAIL', a.text);
    assert.equal(a.fields['err_code'], code, a.text);
    assert.ok((a.fields['return_msg'] ?? '').length > 0);
    assert.equal(a.fields['sign'], undefined, 'an unauthenticated caller gets no signed answer');
  }

  test('send_coupon issues a 代金券 that APIv3 shows and counts, in a signed all-string answer', async () => {
    const stockId = await stock();
    const fields = sendFields(stockId, { device_info: 'POS-1', op_user_id: mchid, version: '1.0', type: 'XML' });
    const a = await v2.send(SEND, fields, key);
    assertSigned(a);
    assert.equal(a.fields['sign']?.length, 32, 'MD5 for an MD5 request');
    assert.equal(a.fields['result_code'], 'SUCCESS');
    assert.equal(a.fields['ret_code'], 'SUCCESS');
    assert.equal(a.fields['resp_count'], '1');
    assert.equal(a.fields['success_count'], '1');
    assert.equal(a.fields['failed_count'], '0');
    assert.equal(a.fields['coupon_stock_id'], stockId);
    assert.equal(a.fields['openid'], fields.openid);
    assert.equal(a.fields['mch_id'], mchid);
    assert.equal(a.fields['appid'], appid);
    assert.equal(a.fields['device_info'], 'POS-1');
    assert.match(a.fields['coupon_id'] ?? '', /^\d{1,20}$/);
    assert.match(a.text, /^<xml><return_code>SUCCESS<\/return_code>/);

    const { data } = await wxpay.request<{ status: string; stock_id: string }>(
      'GET',
      'v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
      { openid: fields.openid, coupon_id: a.fields['coupon_id'], query: { appid } },
    );
    assert.equal(data.status, 'SENDED');
    assert.equal(data.stock_id, stockId);
    assert.equal(await distributed(stockId), 1);
  });

  test('a request whose values are written with XML escapes is read decoded and verified over the decoded values', async () => {
    const stockId = await stock();
    const fields: Record<string, string> = {
      nonce_str: 'escaped1',
      ...sendFields(stockId, { device_info: 'A&B<1>"' }),
    };
    const sign = v2Sign(fields, key);
    // What a serializer that escapes instead of using CDATA writes: predefined entities and character
    // references, decimal and hexadecimal, one in every field.
    const escaped = (v: string) =>
      [...v]
        .map((ch, i) =>
          ch === '&'
            ? '&amp;'
            : ch === '<'
              ? '&lt;'
              : ch === '"'
                ? '&quot;'
                : i === 0
                  ? `&#x${ch.codePointAt(0)?.toString(16)};`
                  : i === 1
                    ? `&#${ch.codePointAt(0)};`
                    : ch,
        )
        .join('');
    const xml = `<xml>${Object.entries({ ...fields, sign })
      .map(([k, v]) => `<${k}>${escaped(v)}</${k}>`)
      .join('')}</xml>`;
    const a = await v2.raw(SEND, xml);
    assertSigned(a);
    assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
    assert.equal(a.fields['device_info'], 'A&B<1>"');
    assert.equal(a.fields['openid'], fields['openid']);
    assert.equal(await distributed(stockId), 1);
  });

  test('an HMAC-SHA256 request is checked with HMAC and answered with an HMAC-SHA256 sign', async () => {
    const stockId = await stock();
    const a = await v2.send(SEND, sendFields(stockId), key, 'HMAC-SHA256');
    assertSigned(a);
    assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
    assert.equal(a.fields['sign']?.length, 64);
    assert.equal(a.fields['sign_type'], 'HMAC-SHA256');
  });

  test('a repeated partner_trade_no returns the first coupon; reused for another openid it is PARAM_ERROR', async () => {
    const stockId = await stock();
    const fields = sendFields(stockId);
    const first = await v2.send(SEND, fields, key);
    const again = await v2.send(SEND, fields, key);
    assert.equal(again.fields['result_code'], 'SUCCESS', again.text);
    assert.equal(again.fields['coupon_id'], first.fields['coupon_id']);
    assert.notEqual(again.fields['nonce_str'], first.fields['nonce_str']);
    const other = await v2.send(SEND, { ...fields, openid: 'o-v2-someone-else' }, key);
    assertSendFailure(other, 'PARAM_ERROR');
    assert.match(other.fields['err_code_des'] ?? '', /partner_trade_no/);
    assert.equal(await distributed(stockId), 1);
  });

  test('concurrent repeats of one partner_trade_no issue one coupon', async () => {
    const stockId = await stock();
    const fields = sendFields(stockId);
    const answers = await Promise.all(Array.from({ length: 8 }, () => v2.send(SEND, fields, key)));
    const ids = new Set(answers.map((a) => a.fields['coupon_id']));
    assert.equal(ids.size, 1, answers.map((a) => a.text).join('\n'));
    assert.ok(answers.every((a) => a.fields['result_code'] === 'SUCCESS'));
    assert.equal(await distributed(stockId), 1);
  });

  test('concurrent v2 and v3 sends never over-issue a shared budget', async () => {
    const stockId = await stock({ max_coupons: 5, max_amount: 500, max_coupons_per_user: 5 });
    const v2Sends = Array.from({ length: 6 }, () => v2.send(SEND, sendFields(stockId), key));
    const v3Sends = Array.from({ length: 6 }, (_, i) =>
      wxpay
        .request('POST', 'v3/marketing/favor/users/{openid}/coupons', {
          openid: `o-v3-race-${i}`,
          json: { stock_id: stockId, out_request_no: `v3race${stockId}${i}`, appid, stock_creator_mchid: mchid },
        })
        .then(
          () => true,
          () => false,
        ),
    );
    const v2Results = await Promise.all(v2Sends);
    const v3Results = await Promise.all(v3Sends);
    const issued =
      v2Results.filter((a) => a.fields['result_code'] === 'SUCCESS').length + v3Results.filter(Boolean).length;
    assert.equal(issued, 5);
    for (const a of v2Results.filter((r) => r.fields['result_code'] !== 'SUCCESS')) {
      assertSendFailure(a, 'STOCK_AMOUNT_NOT_ENOUGH');
    }
    assert.equal(await distributed(stockId), 5);
  });

  test('a wrong key, a missing sign, a tampered field or a bad sign_type is SIGN_ERROR and issues nothing', async () => {
    const stockId = await stock();
    assertCommunicationFailure(await v2.send(SEND, sendFields(stockId), 'x'.repeat(32)), 'SIGN_ERROR');
    assertCommunicationFailure(await v2.raw(SEND, buildXml({ nonce_str: 'n1', ...sendFields(stockId) })), 'SIGN_ERROR');
    const signed = await v2.send(QUERY_STOCK, { coupon_stock_id: stockId, appid, mch_id: mchid }, key);
    assertSigned(signed);
    const tampered = buildXml({
      ...sendFields(stockId),
      nonce_str: 'n2',
      sign: signed.fields['sign'] ?? '',
    });
    assertCommunicationFailure(await v2.raw(SEND, tampered), 'SIGN_ERROR');
    const badType = await v2.send(SEND, { ...sendFields(stockId), sign_type: 'RSA' }, key);
    assertCommunicationFailure(badType, 'SIGN_ERROR');
    assert.equal(await distributed(stockId), 0);
  });

  test('a missing mch_id is MCH_ID_EMPTY and an unknown one CODE_2_ID_ERR', async () => {
    const stockId = await stock();
    assertCommunicationFailure(await v2.send(SEND, sendFields(stockId, { mch_id: '' }), key), 'MCH_ID_EMPTY');
    assertCommunicationFailure(await v2.send(QUERY_STOCK, { coupon_stock_id: stockId, appid }, key), 'MCH_ID_EMPTY');
    assertCommunicationFailure(
      await v2.send(SEND, sendFields(stockId, { mch_id: '1234567890' }), key),
      'CODE_2_ID_ERR',
    );
  });

  test('missing or malformed fields answer their documented codes, signed, and issue nothing', async () => {
    const stockId = await stock();
    assertSendFailure(await v2.send(SEND, sendFields(stockId, { coupon_stock_id: '' }), key), 'COUPON_STOCK_ID_EMPTY');
    assertSendFailure(await v2.send(SEND, sendFields(stockId, { openid: '' }), key), 'OPEN_ID_EMPTY');
    for (const [field, value] of [
      ['partner_trade_no', ''],
      ['partner_trade_no', 'has space'],
      ['openid_count', '2'],
      ['appid', ''],
      ['coupon_stock_id', 'abc'],
      ['version', '2.0'],
      ['device_info', 'd'.repeat(33)],
    ] as const) {
      const a = await v2.send(SEND, sendFields(stockId, { [field]: value }), key);
      assertSendFailure(a, 'PARAM_ERROR');
      assert.match(a.fields['err_code_des'] ?? '', new RegExp(field), `${field}=${value}`);
    }
    assert.equal(await distributed(stockId), 0);
  });

  test('an unactivated or paused stock is STOCK_IS_NOT_VALID, a stopped or ended one AL_STOCK_OVER, an unknown one PARAM_ERROR', async () => {
    const unactivated = await stock({}, false);
    assertSendFailure(await v2.send(SEND, sendFields(unactivated), key), 'STOCK_IS_NOT_VALID');
    const paused = await stock();
    await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/pause', {
      stock_id: paused,
      json: { stock_creator_mchid: mchid },
    });
    assertSendFailure(await v2.send(SEND, sendFields(paused), key), 'STOCK_IS_NOT_VALID');
    const stopped = await stock({}, false);
    await wxpay.request('POST', 'v3/marketing/favor/stocks/{stock_id}/stop', {
      stock_id: stopped,
      json: { stock_creator_mchid: mchid },
    });
    assertSendFailure(await v2.send(SEND, sendFields(stopped), key), 'AL_STOCK_OVER');
    const ended = await stock();
    shift.ms = 8 * 86_400_000;
    try {
      assertSendFailure(await v2.send(SEND, sendFields(ended), key), 'AL_STOCK_OVER');
    } finally {
      shift.ms = 0;
    }
    const unknown = await v2.send(SEND, sendFields('98765432109876'), key);
    assertSendFailure(unknown, 'PARAM_ERROR');
    assert.match(unknown.fields['err_code_des'] ?? '', /coupon_stock_id/);
  });

  test('v2 and v3 sends draw on one budget: when it is spent the v2 send is STOCK_AMOUNT_NOT_ENOUGH', async () => {
    const stockId = await stock({ max_coupons: 5, max_amount: 500 });
    for (let i = 0; i < 4; i++) {
      await wxpay.request('POST', 'v3/marketing/favor/users/{openid}/coupons', {
        openid: `o-v3-budget-${i}`,
        json: { stock_id: stockId, out_request_no: `v3budget${stockId}${i}`, appid, stock_creator_mchid: mchid },
      });
    }
    const last = await v2.send(SEND, sendFields(stockId), key);
    assert.equal(last.fields['result_code'], 'SUCCESS', last.text);
    assertSendFailure(await v2.send(SEND, sendFields(stockId), key), 'STOCK_AMOUNT_NOT_ENOUGH');
    assert.equal(await distributed(stockId), 5);
  });

  test('a user at the per-user limit gets USER_AL_GET_COUPON', async () => {
    const stockId = await stock({ max_coupons_per_user: 1 });
    const first = await v2.send(SEND, sendFields(stockId, { openid: 'o-v2-limited' }), key);
    assert.equal(first.fields['result_code'], 'SUCCESS', first.text);
    const second = await v2.send(SEND, sendFields(stockId, { openid: 'o-v2-limited' }), key);
    assertSendFailure(second, 'USER_AL_GET_COUPON');
    assert.equal(second.fields['ret_msg'], '你已领取过该代金券');
  });

  test('an abnormal account (小号) on an anti-abuse stock is refused', async () => {
    const stockId = await stock({ prevent_api_abuse: true });
    const user = await t.admin('POST', '/users', { appid, openid: 'o-v2-abnormal', abnormal: true });
    assert.equal(user.status, 200);
    assertSendFailure(
      await v2.send(SEND, sendFields(stockId, { openid: 'o-v2-abnormal' }), key),
      'USER_ACCOUNT_ABNORMAL',
    );
  });

  test('an unbound appid, an openid of another appid, or an unauthorized stock of another merchant is PARAM_ERROR', async () => {
    const stockId = await stock();
    const unbound = await v2.send(SEND, sendFields(stockId, { appid: 'wx-not-bound' }), key);
    assertSendFailure(unbound, 'PARAM_ERROR');
    const other = await addMerchant(t.platform, t.admin, 'wx-v2-other-app');
    await t.admin('POST', '/users', { appid: 'wx-v2-other-app', openid: 'o-v2-foreign-user' });
    t.platform.context.autoRegisterUsers = false;
    try {
      const foreignUser = await v2.send(SEND, sendFields(stockId, { openid: 'o-v2-foreign-user' }), key);
      assertSendFailure(foreignUser, 'PARAM_ERROR');
    } finally {
      t.platform.context.autoRegisterUsers = true;
    }
    // A stock of another merchant that did not authorize this one.
    const theirs = await stock({}, true, other.wxpay, other.mchid);
    const cross = await v2.send(SEND, sendFields(theirs), key);
    assertSendFailure(cross, 'PARAM_ERROR');
    assert.equal(await distributed(stockId), 0);
    // Once the creator authorizes this merchant as a sender, the same send goes through.
    assert.equal((await t.admin('POST', `/favor/stocks/${theirs}/senders`, { mchid })).status, 200);
    const authorized = await v2.send(SEND, sendFields(theirs), key);
    assert.equal(authorized.fields['result_code'], 'SUCCESS', authorized.text);
  });

  test('a throttled merchant gets FREQ_OVER_LIMIT and nothing is issued', async () => {
    const stockId = await stock();
    throttled.add(mchid);
    try {
      assertSendFailure(await v2.send(SEND, sendFields(stockId), key), 'FREQ_OVER_LIMIT');
    } finally {
      throttled.delete(mchid);
    }
    assert.equal(await distributed(stockId), 0);
  });

  test('query_coupon_stock answers the stock in v2 terms, with or without a client certificate', async () => {
    const stockId = await stock({ max_coupons: 7, max_amount: 700, max_coupons_per_user: 3 });
    await v2.send(SEND, sendFields(stockId), key);
    const plain = v2TestClient(tlsUrl, ca);
    try {
      const a = await plain.send(QUERY_STOCK, { coupon_stock_id: stockId, appid, mch_id: mchid }, key);
      assertSigned(a);
      assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
      assert.equal(a.fields['coupon_stock_id'], stockId);
      assert.equal(a.fields['coupon_value'], '100');
      assert.equal(a.fields['coupon_mininumn'], '200');
      assert.equal(a.fields['coupon_stock_status'], '4');
      assert.equal(a.fields['coupon_total'], '7');
      assert.equal(a.fields['max_quota'], '3');
      assert.equal(a.fields['is_send_num'], '1');
      assert.equal(a.fields['coupon_budget'], '700');
      assert.match(a.fields['begin_time'] ?? '', /^\d{10}$/);
      assert.match(a.fields['end_time_t'] ?? '', /^\d{14}$/);
      assert.match(a.fields['create_time'] ?? '', /^\d{10}$/);

      assertBusinessFailure(
        await plain.send(QUERY_STOCK, { coupon_stock_id: '11112222333344', appid, mch_id: mchid }, key),
        'COUPON_STOCK_NOT_FOUND',
      );
      assertBusinessFailure(await plain.send(QUERY_STOCK, { appid, mch_id: mchid }, key), 'COUPON_STOCK_ID_EMPTY');
      const other = await addMerchant(t.platform, t.admin, 'wx-v2-query-other');
      const theirs = await stock({}, false, other.wxpay, other.mchid);
      assertBusinessFailure(
        await plain.send(QUERY_STOCK, { coupon_stock_id: theirs, appid, mch_id: mchid }, key),
        'COUPON_STOCK_ID_NOT_VALID',
      );
    } finally {
      plain.close();
    }
    // No certificate needed at all: the in-process fetch works too.
    const res = await t.platform.fetch(
      new Request(`http://platform.test${QUERY_STOCK}`, { method: 'POST', body: '<xml></xml>' }),
    );
    assert.equal(res.status, 200);
    assert.match(await res.text(), /MCH_ID_EMPTY/);
  });

  test('querycouponsinfo answers a sent coupon, then its use, and refuses wrong ids', async () => {
    const stockId = await stock();
    const fields = sendFields(stockId);
    const sent = await v2.send(SEND, fields, key);
    const couponId = sent.fields['coupon_id'] ?? '';
    const ask = (over: Record<string, string> = {}) =>
      v2.send(
        QUERY_COUPON,
        { coupon_id: couponId, openid: fields.openid, appid, mch_id: mchid, stock_id: stockId, ...over },
        key,
      );
    const a = await ask();
    assertSigned(a);
    assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
    assert.equal(a.fields['coupon_id'], couponId);
    assert.equal(a.fields['coupon_stock_id'], stockId);
    assert.equal(a.fields['coupon_state'], 'SENDED');
    assert.equal(a.fields['coupon_value'], '100');
    assert.equal(a.fields['coupon_mininum'], '200');
    assert.equal(a.fields['coupon_remain_value'], '100');
    assert.equal(a.fields['coupon_use_value'], '0');
    assert.equal(a.fields['send_source'], 'NORMAL');

    const used = await t.admin('POST', `/favor/coupons/${couponId}/use`, { transaction_id: '4200000000202611220001' });
    assert.equal(used.status, 200);
    const after = await ask();
    assert.equal(after.fields['coupon_state'], 'USED');
    assert.equal(after.fields['coupon_use_value'], '100');
    assert.equal(after.fields['coupon_remain_value'], '0');
    assert.equal(after.fields['trade_no'], '4200000000202611220001');
    assert.match(after.fields['use_time'] ?? '', /^\d{10}$/);

    assertBusinessFailure(await ask({ coupon_id: '123456789' }), 'COUPON_NOT_FOUND');
    assertBusinessFailure(await ask({ openid: 'o-v2-not-the-owner' }), 'COUPON_NOT_FOUND');
    assertBusinessFailure(await ask({ stock_id: '123456789' }), 'COUPON_STOCK_ID_NOT_VALID');
    assertBusinessFailure(await ask({ stock_id: '' }), 'COUPON_STOCK_ID_EMPTY');
    assertBusinessFailure(await ask({ openid: '' }), 'OPEN_ID_EMPTY');
    assertBusinessFailure(await ask({ coupon_id: '' }), 'PARAM_ERROR');
  });

  describe('hostile or broken XML is refused quickly with REQ_PARAM_XML_ERR and changes nothing', () => {
    let stockId: string;
    before(async () => {
      stockId = await stock();
    });

    const valid = () => buildXml({ nonce_str: 'n', ...sendFields(stockId), sign: '0'.repeat(32) }).slice(5, -6);
    const cases: Array<[string, () => string | Buffer, Record<string, string>?]> = [
      [
        'an external entity',
        () =>
          `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>${valid()}<openid>&x;</openid></xml>`,
      ],
      [
        'an entity-expansion bomb',
        () =>
          `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><xml>${valid()}<x>&d;&d;&d;&d;</x></xml>`,
      ],
      ['a DOCTYPE alone', () => `<!DOCTYPE xml><xml>${valid()}</xml>`],
      ['an entity reference without a DTD', () => `<xml>${valid()}<x>&xxe;</x></xml>`],
      ['a body over the size limit', () => `<xml>${valid()}<pad>${'A'.repeat(2 * 1024 * 1024)}</pad></xml>`],
      [
        'an oversized body streamed without Content-Length',
        () => `<xml>${valid()}<pad>${'B'.repeat(512 * 1024)}</pad></xml>`,
        { 'Transfer-Encoding': 'chunked' },
      ],
      [
        'invalid UTF-8',
        () =>
          Buffer.concat([
            Buffer.from(`<xml>${valid()}<x>`),
            Buffer.from([0xc3, 0x28, 0xff]),
            Buffer.from('</x></xml>'),
          ]),
      ],
      ['a body that is not XML', () => '{"coupon_stock_id":"1"}'],
      ['an unclosed element', () => `<xml>${valid()}<openid>o</xml>`],
      ['a nested element', () => `<xml>${valid()}<x><y>1</y></x></xml>`],
      ['a repeated field', () => `<xml>${valid()}<openid>o2</openid></xml>`],
    ];

    for (const [name, body, headers] of cases) {
      test(name, async (ctx) => {
        const a = await v2.raw(SEND, body(), headers);
        assertCommunicationFailure(a, 'REQ_PARAM_XML_ERR');
        ctx.diagnostic(`refused in ${a.ms.toFixed(1)} ms: ${a.fields['return_msg']}`);
        assert.equal(a.fields['return_msg'], '输入参数xml格式有误');
        assert.ok(a.ms < 1000, `answered in ${a.ms.toFixed(1)} ms`);
        assert.equal(await distributed(stockId), 0);
      });
    }

    test('the platform still answers normally afterwards', async () => {
      const a = await v2.send(SEND, sendFields(stockId), key);
      assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
    });
  });
});
