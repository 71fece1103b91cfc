import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import { authorization, loadPrivateKey, nonce, requestMessage, rsaSign, timestamp } from '@wxcoupon/sdk/crypto';
import { createPlatform } from '../src/index.js';
import { busifavorStockBody, unique } from './busifavor-helpers.js';
import { addMerchant, sdkFor, stockBody } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import type { SignedClient, SignedResponse } from './helpers/signed-fetch.js';
import { createTestDatabase } from './helpers/test-database.js';
import { type V2TestClient, v2TestClient } from './v2-support.js';

// The request journal: every API request of each family recorded with its answer, signature verdict
// and fault; secrets redacted in every stored row and every printed line; the reasons a signature
// fails; filters and paging of the admin API; retention; and nothing answered lost on close.

const SEND = (openid: string) => `/v3/marketing/favor/users/${openid}/coupons`;

describe('request journal', () => {
  let t: TestPlatform;
  let client: SignedClient;
  let wxpay: Wechatpay;
  let v2: V2TestClient;
  let mchid: string;
  let appid: string;
  let stockId: string;
  let seq = 0;
  const accessLines: string[] = [];
  // Everything secret the platform holds for the demo merchant: none may appear in the journal.
  let secrets: string[];
  const sentSignatures: string[] = [];

  before(async () => {
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => accessLines.push(...chunk.toString().split('\n').filter(Boolean)));
    t = await startTestPlatform({
      rateLimits: { 'favor.coupons.send': 100_000, 'busifavor.coupons.send': 100_000 },
      accessLog: { format: 'json', destination },
    });
    const creds = t.platform.credentials;
    ({ mchid, appid } = creds);
    client = t.client;
    wxpay = sdkFor(creds, { fetch: t.platform.fetch });
    const { tlsUrl } = await t.platform.listen({ host: '127.0.0.1', port: 0, tlsPort: 0 });
    v2 = v2TestClient(tlsUrl as string, readFileSync(creds.caCertificateFile, 'utf8'), {
      cert: readFileSync(creds.certificateFile, 'utf8'),
      key: readFileSync(creds.privateKeyFile, 'utf8'),
    });
    const stock = await client.post(
      '/v3/marketing/favor/coupon-stocks',
      stockBody(mchid, { available_begin_time: new Date().toISOString() }, { max_coupons: 1000 }),
    );
    stockId = stock.data.stock_id;
    await client.post(`/v3/marketing/favor/stocks/${stockId}/start`, { stock_creator_mchid: mchid });
    const privatePem = readFileSync(creds.privateKeyFile, 'utf8');
    secrets = [
      creds.apiV3Key,
      creds.apiV2Key,
      // The private key's body lines (any one of them would leak key material).
      ...privatePem.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----')),
      t.platform.context.keys.certificate.certificatePem?.split('\n')[3] ?? 'no certificate',
    ];
  });
  after(async () => {
    v2.close();
    wxpay.close();
    await t.close();
  });

  const body = (over: Record<string, unknown> = {}) => ({
    stock_id: stockId,
    out_request_no: `journal-${++seq}`,
    appid,
    stock_creator_mchid: mchid,
    ...over,
  });
  const detail = async (requestId: string) => {
    const list = await t.admin('GET', `/requests?request_id=${requestId}`);
    assert.equal(list.status, 200, JSON.stringify(list.data));
    assert.equal(list.data.data.length, 1, `one row for ${requestId}`);
    const one = await t.admin('GET', `/requests/${list.data.data[0].id}`);
    assert.equal(one.status, 200);
    return one.data;
  };
  /** A request signed by `client` but with its Authorization built from the given parts. */
  const signedWith = (
    method: string,
    path: string,
    sent: string,
    parts: {
      mchid?: string;
      serial?: string;
      key?: ReturnType<typeof loadPrivateKey>;
      signedPath?: string;
      signedBody?: string;
      ts?: string;
    },
  ) => {
    const ts = parts.ts ?? timestamp();
    const n = nonce();
    const key = parts.key ?? client.options.privateKey;
    const signature = rsaSign(requestMessage(method, parts.signedPath ?? path, ts, n, parts.signedBody ?? sent), key);
    sentSignatures.push(signature);
    return client.request(method, path, sent, {
      authorization: authorization({
        mchid: parts.mchid ?? mchid,
        nonce_str: n,
        timestamp: ts,
        serial_no: parts.serial ?? client.options.serial,
        signature,
      }),
    });
  };

  test('a 代金券 send is recorded whole: request, answer, verdict, API name and latency', async () => {
    const json = body();
    const res = await client.post(SEND('o-journal-1'), json);
    assert.equal(res.status, 200);
    const requestId = res.headers.get('request-id') as string;
    const row = await detail(requestId);
    assert.equal(row.request_id, requestId);
    assert.equal(row.mchid, mchid);
    assert.equal(row.method, 'POST');
    assert.equal(row.path, SEND('o-journal-1'));
    assert.equal(row.api, 'favor.coupons.send');
    assert.equal(row.status, 200);
    assert.equal(row.code, null);
    assert.equal(row.fault, null);
    assert.equal(typeof row.latency_ms, 'number');
    assert.match(row.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.deepEqual(row.signature, { verdict: 'ok', reason: null });
    assert.deepEqual(JSON.parse(row.request.body), json);
    assert.equal(row.request.truncated, false);
    assert.match(row.request.headers.authorization, /^WECHATPAY2-SHA256-RSA2048 .*signature="\[redacted\]"/);
    assert.ok(row.request.headers.authorization.includes(`mchid="${mchid}"`));
    assert.equal(JSON.parse(row.response.body).coupon_id, res.data.coupon_id);
    assert.equal(row.response.headers['wechatpay-signature'], '[redacted]');
    assert.equal(row.response.headers['request-id'], requestId);
  });

  test('an APIv2 send_coupon is recorded with its API name, verdict and the sign redacted both ways', async () => {
    const creds = t.platform.credentials;
    const fields = {
      coupon_stock_id: stockId,
      openid_count: '1',
      partner_trade_no: `journal-v2-${++seq}`,
      openid: 'o-journal-v2',
      appid,
      mch_id: mchid,
    };
    const ok = await v2.send('/mmpaymkttransfers/send_coupon', fields, creds.apiV2Key);
    assert.equal(ok.fields['result_code'], 'SUCCESS', ok.text);
    const wrong = await v2.send(
      '/mmpaymkttransfers/send_coupon',
      { ...fields, partner_trade_no: `journal-v2-${++seq}` },
      'x'.repeat(32),
    );
    assert.equal(wrong.fields['return_code'], 'FAIL');
    const { data } = await t.admin('GET', '/requests?api=v2coupon.send_coupon&limit=2');
    const [failed, passed] = data.data;
    assert.equal(passed.status, 200);
    assert.equal(passed.mchid, mchid);
    assert.deepEqual(passed.signature, { verdict: 'ok', reason: null });
    assert.equal(passed.code, null);
    assert.equal(failed.code, 'SIGN_ERROR');
    assert.equal(failed.signature.verdict, 'failed');
    const row = (await t.admin('GET', `/requests/${passed.id}`)).data;
    assert.match(row.request.body, /<sign>\[redacted\]<\/sign>/);
    assert.match(row.request.body, /<partner_trade_no>journal-v2-/);
    assert.match(row.response.body, /<sign>\[redacted\]<\/sign>/);
    assert.match(row.response.body, /<coupon_id>\d+<\/coupon_id>/);
    const failedRow = (await t.admin('GET', `/requests/${failed.id}`)).data;
    assert.ok(failedRow.signature.explanation.includes('APIv2'));
    assert.equal(failedRow.signature.message, undefined, 'the v2 message contains the key: never kept');
  });

  test('a body holding a NUL byte is journaled with the byte kept as U+FFFD, and its batch is not lost', async () => {
    const res = await client.post(SEND('o-journal-nul'), `{"stock_id":"a\u0000b","out_request_no":"nul-${++seq}"}`);
    assert.equal(res.status, 400);
    const row = await detail(res.headers.get('request-id') as string);
    assert.equal(row.request.body, `{"stock_id":"a\uFFFDb","out_request_no":"nul-${seq}"}`);
  });

  test('a 商家券 send is recorded under its API name', async () => {
    const stock = await client.post('/v3/marketing/busifavor/stocks', busifavorStockBody(mchid, 'WECHATPAY_MODE'));
    assert.equal(stock.status, 200, stock.text);
    const res = await client.post('/v3/marketing/busifavor/coupons/send', {
      stock_id: stock.data.stock_id,
      openid: 'o-journal-busi',
      appid,
      out_request_no: unique('journal'),
    });
    assert.equal(res.status, 200, res.text);
    const row = await detail(res.headers.get('request-id') as string);
    assert.equal(row.api, 'busifavor.coupons.send');
    assert.equal(row.status, 200);
    assert.equal(row.mchid, mchid);
  });

  test('GET /v3/certificates is recorded with the encrypted certificate redacted', async () => {
    const res = await client.get('/v3/certificates');
    assert.equal(res.status, 200);
    const row = await detail(res.headers.get('request-id') as string);
    assert.equal(row.api, 'certificates');
    assert.equal(row.method, 'GET');
    assert.equal(row.request.body, '');
    const answer = JSON.parse(row.response.body);
    assert.equal(answer.data[0].encrypt_certificate.ciphertext, '[redacted]');
    assert.equal(answer.data[0].serial_no, res.data.data[0].serial_no);
  });

  test('each reason a signature fails is recorded with the message the platform built', async () => {
    const other = loadPrivateKey(
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const second = await addMerchant(t.platform, t.admin, appid);
    second.wxpay.close();
    const json = JSON.stringify(body());
    const path = SEND('o-journal-sig');
    const cases: Array<{ reason: RegExp; res: Promise<SignedResponse> }> = [
      { reason: /^wrong key$/, res: signedWith('POST', path, json, { key: other }) },
      {
        reason: /^body changed$/,
        res: signedWith('POST', path, json, { signedBody: json.replace('journal', 'jOurnal') }),
      },
      {
        reason: /^url changed$/,
        res: signedWith('GET', `/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${mchid}`, '', {
          signedPath: `/v3/marketing/favor/stocks/${stockId}`,
        }),
      },
      {
        reason: /^clock skew of 10\d\d s$/,
        res: signedWith('POST', path, json, { ts: String(Math.floor(Date.now() / 1000) - 1000) }),
      },
      { reason: /^serial unknown$/, res: signedWith('POST', path, json, { serial: 'ABCDEF0123456789' }) },
      { reason: /^mchid mismatch$/, res: signedWith('POST', path, json, { mchid: second.mchid }) },
      { reason: /^mchid unknown$/, res: signedWith('POST', path, json, { mchid: '1999999999' }) },
      {
        reason: /^malformed Authorization$/,
        res: client.request('POST', path, json, {
          authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1",signature="abc"',
        }),
      },
    ];
    for (const c of cases) {
      const res = await c.res;
      assert.equal(res.status, 401);
      assert.equal(res.data.code, 'SIGN_ERROR');
      const row = await detail(res.headers.get('request-id') as string);
      assert.equal(row.status, 401);
      assert.equal(row.code, 'SIGN_ERROR');
      assert.equal(row.signature.verdict, 'failed');
      assert.match(row.signature.reason, c.reason);
      // Refused before its route ran, the request is still journaled under the route's API.
      assert.equal(row.api, row.method === 'GET' ? 'favor.stocks.get' : 'favor.coupons.send');
      assert.ok(row.signature.explanation.length > 20, row.signature.explanation);
      const info = res.data.detail.sign_information;
      assert.equal(info.method, row.method);
      assert.equal(info.url, row.path);
      assert.equal(info.sign_message_length, Buffer.byteLength(row.signature.message));
      assert.ok(row.signature.message.startsWith(info.truncated_sign_message.slice(0, -1)));
      assert.equal(res.data.detail.field, 'signature');
      assert.equal(res.data.detail.location, 'authorization');
      assert.equal(typeof res.data.detail.detail.issue, 'string');
    }
    // The built message is exactly what the service signs: METHOD, URL, timestamp, nonce and body, each on a line.
    const res = await cases[1]?.res;
    const row = await detail(res?.headers.get('request-id') as string);
    const lines = row.signature.message.split('\n');
    assert.equal(lines.length, 6);
    assert.deepEqual([lines[0], lines[1], lines[4], lines[5]], ['POST', path, json, '']);
    assert.match(lines[2], /^\d{10}$/);
    assert.equal(
      res?.data.detail.sign_information.truncated_sign_message,
      `${lines.slice(0, 4).join('\n')}\n${json.slice(0, 10)}\n`,
    );

    const absent = await t.platform.fetch(new Request(`http://platform.test${path}`, { method: 'POST', body: json }));
    assert.equal(absent.status, 401);
    const none = await detail(absent.headers.get('request-id') as string);
    assert.equal(none.signature.verdict, 'absent');
    assert.equal(none.mchid, null);
  });

  test('a fault is recorded as such: the error it answered, and a dropped answer with what was committed', async () => {
    const rule = await t.admin('POST', '/faults', {
      api: 'favor.coupons.send',
      action: 'error',
      error_code: 'SYSTEM_ERROR',
      times: 1,
    });
    assert.equal(rule.status, 200, JSON.stringify(rule.data));
    const failed = await client.post(SEND('o-journal-fault'), body());
    assert.equal(failed.status, 500);
    const row = await detail(failed.headers.get('request-id') as string);
    assert.equal(row.status, 500);
    assert.equal(row.code, 'SYSTEM_ERROR');
    assert.equal(row.fault, `SYSTEM_ERROR (rule ${rule.data.id})`);

    const drop = await t.admin('POST', '/faults', { api: 'favor.coupons.send', action: 'drop_after_commit', times: 1 });
    assert.equal(drop.status, 200, JSON.stringify(drop.data));
    const json = body();
    await assert.rejects(client.post(SEND('o-journal-fault'), json));
    const retried = await client.post(SEND('o-journal-fault'), json);
    assert.equal(retried.status, 200);
    const { data } = await t.admin('GET', '/requests?api=favor.coupons.send&limit=2');
    const [again, dropped] = data.data;
    assert.equal(again.request_id, retried.headers.get('request-id'));
    assert.equal(dropped.status, 0, 'no answer was sent');
    assert.equal(dropped.fault, `drop-after-commit (rule ${drop.data.id})`);
    const kept = (await t.admin('GET', `/requests/${dropped.id}`)).data;
    assert.equal(
      JSON.parse(kept.response.body).coupon_id,
      retried.data.coupon_id,
      'the withheld answer is the one the retry got',
    );
  });

  test('the admin API filters by merchant, API, status, code and Request-ID, and pages newest first', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await client.post(SEND('o-journal-page'), body())).status, 200);
    const page1 = (await t.admin('GET', '/requests?api=favor.coupons.send&status=200&limit=2')).data;
    assert.equal(page1.data.length, 2);
    assert.ok(page1.next);
    const page2 = (await t.admin('GET', `/requests?api=favor.coupons.send&status=200&limit=2&before=${page1.next}`))
      .data;
    assert.equal(page2.data.length, 2);
    const ids = [...page1.data, ...page2.data].map((r: { id: string }) => r.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first, no overlap');
    assert.equal(new Set(ids).size, 4);
    for (const r of [...page1.data, ...page2.data]) {
      assert.equal(r.api, 'favor.coupons.send');
      assert.equal(r.status, 200);
    }
    const unauthorized = (await t.admin('GET', '/requests?status=4xx&limit=500')).data.data;
    assert.ok(unauthorized.length > 0);
    for (const r of unauthorized) assert.ok(r.status >= 400 && r.status < 500);
    const exact = (await t.admin('GET', '/requests?status=401&code=SIGN_ERROR&limit=500')).data.data;
    assert.ok(exact.length >= 8);
    for (const r of exact) assert.equal(r.code, 'SIGN_ERROR');
    const unknown = (await t.admin('GET', '/requests?mchid=1999999999')).data.data;
    assert.ok(unknown.length >= 1);
    for (const r of unknown) assert.equal(r.mchid, '1999999999');
    const all = (await t.admin('GET', '/requests?limit=500')).data;
    assert.equal(
      all.data.some((r: { path: string }) => r.path.startsWith('/admin')),
      false,
      'the admin API is not journaled',
    );
    assert.equal((await t.admin('GET', '/requests?status=abc')).data.code, 'PARAM_ERROR');
    assert.equal((await t.admin('GET', '/requests?limit=501')).status, 400);
    assert.equal((await t.admin('GET', '/requests/00000')).status, 404);
  });

  test('no stored row, admin answer or access log line holds a key, a signature or a decrypted certificate', async () => {
    const rows = await t.platform.context.db.selectFrom('request_journal').selectAll().execute();
    assert.ok(rows.length > 20);
    const stored = JSON.stringify(rows);
    const answered = JSON.stringify(
      await Promise.all(rows.map(async (r) => (await t.admin('GET', `/requests/${r.id}`)).data)),
    );
    assert.ok(accessLines.length >= rows.length, 'one access line per request');
    const printed = accessLines.join('\n');
    for (const [where, text] of [
      ['stored rows', stored],
      ['admin answers', answered],
      ['access log', printed],
    ] as const) {
      for (const secret of [...secrets, ...sentSignatures]) assert.ok(!text.includes(secret), `${where} hold a secret`);
      assert.ok(!text.includes('PRIVATE KEY'), `${where} hold a private key`);
      assert.ok(!/BEGIN CERTIFICATE/.test(text), `${where} hold a certificate`);
      assert.ok(!/signature=\\?"(?!\[redacted\])/.test(text), `${where} hold an Authorization signature`);
    }
  });

  test('the access log has one JSON line per request with the Request-ID the client got', async () => {
    const res = await client.post(SEND('o-journal-log'), body());
    const requestId = res.headers.get('request-id');
    const line = accessLines.map((l) => JSON.parse(l)).find((l) => l.request_id === requestId);
    assert.ok(line, 'the request is logged');
    assert.equal(line.msg, 'request');
    assert.equal(line.level, 'info');
    assert.equal(line.status, 200);
    assert.equal(line.api, 'favor.coupons.send');
    assert.equal(line.mchid, mchid);
    assert.equal(line.path, SEND('o-journal-log'));
    assert.equal(typeof line.time, 'string');
  });
});

describe('request journal retention and shutdown', () => {
  test('rows beyond the count or older than the age are deleted', async () => {
    const t = await startTestPlatform({ journal: { maxRows: 5, maxAgeMs: 60_000 } });
    try {
      for (let i = 0; i < 8; i++) assert.equal((await t.client.get('/v3/certificates')).status, 200);
      const journal = t.platform.context.services.journal;
      assert.ok(journal);
      await journal.flush();
      await journal.prune();
      const kept = (await t.admin('GET', '/requests?limit=100')).data.data;
      assert.equal(kept.length, 5);
      assert.equal(await journal.prune(Date.now() + 61_000), 5);
      assert.equal((await t.admin('GET', '/requests')).data.data.length, 0);
    } finally {
      await t.close();
    }
  });

  test('close() writes every answered request before the database closes', async () => {
    const database = await createTestDatabase();
    const t = await startTestPlatform(database.url ? { database: database.url } : {});
    const ids: string[] = [];
    try {
      for (let i = 0; i < 30; i++)
        ids.push((await t.client.get('/v3/certificates')).headers.get('request-id') as string);
      await t.platform.close();
      const again = await createPlatform({
        dataDir: t.dataDir,
        log: () => {},
        ...(database.url ? { database: database.url } : {}),
      });
      try {
        const rows = await again.context.db.selectFrom('request_journal').select('request_id').execute();
        assert.deepEqual(new Set(rows.map((r) => r.request_id)), new Set(ids));
      } finally {
        await again.close();
      }
    } finally {
      await t.close();
      await database.drop();
    }
  });

  test('without a journal nothing is recorded and the admin API says it is off', async () => {
    const t = await startTestPlatform({ journal: false });
    try {
      assert.equal((await t.client.get('/v3/certificates')).status, 200);
      const res = await t.admin('GET', '/requests');
      assert.equal(res.status, 404);
      assert.match(res.data.message, /journal is off/);
      const rows = await t.platform.context.db.selectFrom('request_journal').selectAll().execute();
      assert.equal(rows.length, 0);
    } finally {
      await t.close();
    }
  });
});
