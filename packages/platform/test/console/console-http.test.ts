import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RateCounter } from '../../src/features/console/console.rates.js';
import { busifavorStockBody } from '../busifavor-helpers.js';
import { sdkFor, stockBody } from '../helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

// The console's protections over plain HTTP (no browser needed): nothing answers without a session,
// a wrong token or a forged sign-in form opens none, every state-changing form needs the session's
// CSRF token, cookies are HttpOnly and SameSite=Strict, markup in data is escaped, logout ends the
// session. And the per-second counter behind the live chart.

const BASE = 'http://console.test';

describe('web console over HTTP', () => {
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform();
  });

  after(async () => {
    await t?.close();
  });

  const get = (path: string, cookie = '') =>
    t.platform.fetch(new Request(`${BASE}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' }));

  const post = (path: string, form: Record<string, string>, cookie = '') =>
    t.platform.fetch(
      new Request(`${BASE}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        body: new URLSearchParams(form),
      }),
    );

  /** The cookie pairs a response sets, as a Cookie header. */
  const cookiesOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => !c?.endsWith('='))
      .join('; ');

  /** The session cookie a response sets, as a Cookie header ('' when none). */
  const sessionOf = (res: Response) =>
    cookiesOf(res)
      .split('; ')
      .filter((c) => c.startsWith('wxcoupon_console='))
      .join('; ');

  async function signIn(token = t.platform.adminToken): Promise<{ res: Response; cookie: string; csrf: string }> {
    const form = await get('/console/login');
    const nonce = /name="nonce" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const res = await post('/console/login', { nonce, token }, cookiesOf(form));
    const cookie = sessionOf(res);
    const page = cookie ? await (await get('/console', cookie)).text() : '';
    return { res, cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' };
  }

  async function stockStatus(): Promise<string> {
    const { mchid, favorStockId } = t.platform.credentials;
    const wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
    const res = await wxpay.request<{ status: string }>('GET', `v3/marketing/favor/stocks/${favorStockId}`, {
      query: { stock_creator_mchid: mchid },
    });
    return res.data.status;
  }

  test('no page or console endpoint answers without a session', async () => {
    for (const path of ['/console', '/console/faults', '/console/users?openid=x', '/console/clock']) {
      const res = await get(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), '/console/login');
    }
    const api = await get('/console/api/rates');
    assert.equal(api.status, 401);
    assert.equal(((await api.json()) as { code: string }).code, 'ADMIN_UNAUTHORIZED');
    const action = await post(`/console/stocks/favor/${t.platform.credentials.favorStockId}/pause`, { csrf: 'x' });
    assert.equal(action.status, 303);
    assert.equal(await stockStatus(), 'running');
  });

  test('a wrong token, or a sign-in form not from the console, opens no session', async () => {
    const wrong = await signIn('wrong-token-wrong-token');
    assert.equal(wrong.res.status, 401);
    assert.equal(wrong.cookie, '');
    assert.match(await wrong.res.text(), /Wrong admin token/);
    // The right token in a form without the sign-in page's nonce (posted from elsewhere) is refused too.
    const forged = await post('/console/login', { nonce: 'made-up', token: t.platform.adminToken });
    assert.equal(forged.status, 401);
    assert.equal(sessionOf(forged), '');
  });

  test('signing in sets an HttpOnly, SameSite=Strict session cookie; pages carry a strict CSP', async () => {
    const { res, cookie } = await signIn();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/console');
    const set = res.headers.getSetCookie().find((c) => c.startsWith('wxcoupon_console='));
    assert.ok(set);
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    assert.match(set, /Path=\/console/);
    const page = await get('/console', cookie);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
  });

  test('a state-changing form without the session CSRF token is refused and changes nothing', async () => {
    const { cookie, csrf } = await signIn();
    assert.ok(csrf);
    const pause = `/console/stocks/favor/${t.platform.credentials.favorStockId}/pause`;
    for (const form of [{}, { csrf: 'forged' }]) {
      const res = await post(pause, form, cookie);
      assert.equal(res.status, 403);
    }
    const faults = await post('/console/faults', { action: 'close' }, cookie);
    assert.equal(faults.status, 403);
    assert.equal((await t.admin('GET', '/faults')).data.data.length, 0);
    assert.equal(await stockStatus(), 'running');
    // With the token the same form works.
    const ok = await post(pause, { csrf }, cookie);
    assert.equal(ok.status, 303);
    assert.match(decodeURIComponent(ok.headers.get('location') ?? ''), /ok=/);
    assert.equal(await stockStatus(), 'paused');
    await post(`/console/stocks/favor/${t.platform.credentials.favorStockId}/restart`, { csrf }, cookie);
    assert.equal(await stockStatus(), 'running');
  });

  test('markup in a stock name or a message is shown as text', async () => {
    const { mchid } = t.platform.credentials;
    const wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
    await wxpay.request('POST', 'v3/marketing/favor/coupon-stocks', {
      json: stockBody(mchid, { stock_name: '<img src=x>"\'&' }),
    });
    const { cookie } = await signIn();
    const html = await (await get('/console', cookie)).text();
    assert.ok(!html.includes('<img src=x>'), 'the stock name is not markup');
    assert.ok(html.includes('&lt;img src=x&gt;'), 'the stock name is there, escaped');
    const notice = await (
      await get(`/console?error=${encodeURIComponent('<script>alert(1)</script>')}`, cookie)
    ).text();
    assert.ok(!notice.includes('<script>alert(1)</script>'));
    assert.ok(notice.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  test('商家券 use, return and deactivate act as the stock creator, through a certificate registered once', async () => {
    const { mchid, appid } = t.platform.credentials;
    const wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
    const stock = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/busifavor/stocks', {
      json: busifavorStockBody(mchid, 'WECHATPAY_MODE'),
    });
    const stockId = stock.data.stock_id;
    const { cookie, csrf } = await signIn();
    const openid = 'o_console_busifavor';
    const sent = await post(`/console/stocks/busifavor/${stockId}/send`, { csrf, openid, appid }, cookie);
    const code = /Sent coupon (\S+) to/.exec(decodeURIComponent(sent.headers.get('location') ?? ''))?.[1];
    assert.ok(code, `no coupon in ${sent.headers.get('location')}`);
    const state = async () => {
      const res = await wxpay.request<{ coupon_state: string }>(
        'GET',
        `v3/marketing/busifavor/users/${openid}/coupons/${code}/appids/${appid}`,
      );
      return res.data.coupon_state;
    };
    const act = async (op: string) => {
      const res = await post(
        `/console/users/busifavor/${op}`,
        { csrf, openid, appid, stock_id: stockId, coupon_code: code },
        cookie,
      );
      const to = decodeURIComponent(res.headers.get('location') ?? '');
      assert.match(to, /[?&]ok=/, `${op}: ${to}`);
    };
    assert.equal(await state(), 'SENDED');
    await act('use');
    assert.equal(await state(), 'USED');
    await act('return');
    assert.equal(await state(), 'SENDED');
    await act('deactivate');
    assert.equal(await state(), 'DEACTIVATED');
    // The console signs with one certificate of its own beside the merchant's.
    const merchants = (await t.admin('GET', '/merchants')).data.data as { mchid: string; serials: string[] }[];
    assert.equal(merchants.find((m) => m.mchid === mchid)?.serials.length, 2);
  });

  test('logging out ends the session for good', async () => {
    const { cookie, csrf } = await signIn();
    const out = await post('/console/logout', { csrf }, cookie);
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/console/login');
    const after = await get('/console', cookie);
    assert.equal(after.status, 303);
    assert.equal(after.headers.get('location'), '/console/login');
  });
});

describe('live chart counter', () => {
  test('counts per second over the window and forgets seconds that left it', () => {
    let now = 1_000_000_000_000;
    const rates = new RateCounter(() => now);
    rates.record('send');
    rates.record('send');
    rates.record('error');
    now += 1000;
    rates.record('send');
    let s = rates.series(3);
    assert.deepEqual(s.sends, [0, 2, 1]);
    assert.deepEqual(s.errors, [0, 1, 0]);
    // A whole window later the same slots hold other seconds: the old counts are not shown again.
    now += 300_000;
    rates.record('error');
    s = rates.series(302);
    assert.equal(s.sends.length, 300);
    assert.deepEqual([s.sends.reduce((a, b) => a + b, 0), s.errors.reduce((a, b) => a + b, 0)], [0, 1]);
  });
});
