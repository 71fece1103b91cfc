import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Wechatpay } from '@wxcoupon/sdk';
import type { Browser, Locator, Page } from 'playwright-core';
import { busifavorStockBody } from '../busifavor-helpers.js';
import { sdkFor, stockBody } from '../helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { findChromium, launch, NO_BROWSER, screenshots } from './browser.js';

// The console as a person uses it, in real Chromium: sign in (and not with a wrong token), see the
// demo stock, send a test coupon and find it on the user and requests pages, use it and redeliver its
// notification, pause the stock and see the next send refused, add a fault and see it answer, change
// a 商家券 budget, advance the clock past the stock's end. Every page is photographed at laptop and
// phone width (into bench/results/console/ with WXCOUPON_SCREENSHOTS=1, see browser.ts).

const chromium = findChromium();
const OPENID = 'o_console_user1';
const JOURNAL_MISSING = 'the request journal admin API (/admin/requests) is not on this platform: skipped';
const CLOCK_MISSING = 'the test clock admin API (/admin/clock) is not on this platform: skipped';

describe('web console in Chromium', { skip: chromium ? false : NO_BROWSER }, () => {
  let t: TestPlatform;
  let url: string;
  let browser: Browser;
  let page: Page;
  let wxpay: Wechatpay;
  let receiver: Server;
  const received: string[] = [];
  let journal = false;
  let clock = false;
  let stockId: string;
  let busifavorStockId: string;

  before(async () => {
    t = await startTestPlatform();
    ({ url } = await t.platform.listen({ host: '127.0.0.1', port: 0, tlsPort: false }));
    const { mchid, favorStockId } = t.platform.credentials;
    stockId = favorStockId;
    wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":"SUCCESS","message":"成功"}');
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    const port = (receiver.address() as AddressInfo).port;
    await wxpay.request('POST', 'v3/marketing/favor/callbacks', {
      json: { mchid, notify_url: `http://127.0.0.1:${port}/notify`, switch: true },
    });
    // Names with markup: the pages must show them as text.
    await wxpay.request('POST', 'v3/marketing/favor/coupon-stocks', {
      json: stockBody(mchid, { stock_name: '<script>x</script>' }),
    });
    const created = await wxpay.request<{ stock_id: string }>('POST', 'v3/marketing/busifavor/stocks', {
      json: busifavorStockBody(mchid, 'WECHATPAY_MODE', {
        top: { stock_name: '演示商家券' },
        send: { max_coupons_by_day: 50 },
      }),
    });
    busifavorStockId = created.data.stock_id;
    journal = (await t.admin('GET', '/requests?limit=1')).status !== 404;
    clock = (await t.admin('GET', '/clock')).status !== 404;
    browser = await launch(chromium as string);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await new Promise((ok) => receiver?.close(ok));
    await t?.close();
  });

  const text = async (l: Locator) => (await l.textContent()) ?? '';
  const notice = (kind: 'ok' | 'error') => page.locator(`p.notice.${kind}`);

  async function sendFromStockPage(openid: string): Promise<void> {
    await page.goto(`${url}/console/stocks/favor/${stockId}`);
    await page.locator('[data-testid=send-form] input[name=openid]').fill(openid);
    await page.locator('[data-testid=send-submit]').click();
    await page.waitForLoadState();
  }

  test('a wrong token cannot sign in', async () => {
    await page.goto(`${url}/console`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
    await screenshots(page, 'login');
    await page.locator('input[name=token]').fill('not-the-admin-token');
    await page.locator('button[type=submit]').click();
    await notice('error').waitFor();
    assert.match(await text(notice('error')), /Wrong admin token/);
    assert.equal(new URL(page.url()).pathname, '/console/login');
    await page.goto(`${url}/console`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
  });

  test('signs in with the admin token and shows the demo stock', async () => {
    await page.locator('input[name=token]').fill(t.platform.adminToken);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${url}/console`);
    const stocks = page.locator('#stocks');
    await stocks.getByText('演示代金券').waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'wxcoupon_console');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    // The markup in a stock name is text on the page, not an element.
    await stocks.getByText('<script>x</script>').waitFor();
    assert.equal(await stocks.locator('script').count(), 0);
  });

  test('sends a test coupon from the stock page', async () => {
    await sendFromStockPage(OPENID);
    assert.match(await text(notice('ok')), /Sent coupon \d+ to o_console_user1/);
    await page.locator('#coupons').getByText(OPENID).waitFor();
    await screenshots(page, 'stock-favor');
  });

  test('the send appears on the requests page', async (t2) => {
    await page.goto(`${url}/console/requests`);
    if (!journal) {
      await page.locator('[data-testid=unavailable]').waitFor();
      await screenshots(page, 'requests');
      t2.skip(JOURNAL_MISSING);
      return;
    }
    await page.goto(`${url}/console/requests?api=favor.coupons.send`);
    const row = page.locator('#requests tbody tr', { hasText: 'favor.coupons.send' }).first();
    await row.waitFor();
    assert.match(await text(row), /200/);
    await screenshots(page, 'requests');
    await row.locator('a').first().click();
    await page.getByText('The message the platform built').or(page.getByText('Request-ID')).first().waitFor();
    await screenshots(page, 'request');
  });

  test('a request with a bad signature opens with the message the platform built and why it fails', async (t2) => {
    if (!journal) {
      t2.skip(JOURNAL_MISSING);
      return;
    }
    const { mchid, serial } = t.platform.credentials;
    await fetch(`${url}/v3/marketing/favor/stocks/${stockId}?stock_creator_mchid=${mchid}`, {
      headers: {
        Accept: 'application/json',
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="abc",timestamp="${Math.floor(Date.now() / 1000)}",serial_no="${serial}",signature="AAAA"`,
      },
    });
    await page.goto(`${url}/console/requests?code=SIGN_ERROR`);
    await page.locator('#requests tbody tr a').first().click();
    await page.locator('[data-testid=signature-explained]').waitFor();
    await screenshots(page, 'request-sign-error');
  });

  test('the coupon shows on the user page and can be used', async () => {
    await page.goto(`${url}/console/stocks/favor/${stockId}`);
    await page.locator('#coupons').getByText(OPENID).first().click();
    await page.locator('[data-testid=user-openid]').waitFor();
    const row = page.locator('#user-coupons tbody tr').first();
    assert.match(await text(row), /SENDED/);
    await screenshots(page, 'user');
    await row.locator('[data-testid=favor-use]').click();
    await notice('ok').waitFor();
    assert.match(await text(page.locator('#user-coupons tbody tr').first()), /USED/);
  });

  test('the notification of the use is delivered, and redelivered on request', async () => {
    const status = page.locator('#notifications [data-testid=notification-status]').first();
    await reloadUntil(`${url}/console/notifications`, async () => (await text(status)) === 'DELIVERED');
    assert.equal(received.length, 1);
    await page.locator('[data-testid=redeliver]').first().click();
    await notice('ok').waitFor();
    await reloadUntil(
      `${url}/console/notifications`,
      async () => (await page.locator('#notifications ol.attempts li').count()) === 2,
    );
    assert.equal(received.length, 2);
    await screenshots(page, 'notifications');
  });

  test('pausing the stock refuses the next send', async () => {
    await page.goto(`${url}/console/stocks/favor/${stockId}`);
    await page.locator('[data-testid=stock-pause]').click();
    await notice('ok').waitFor();
    assert.equal(await text(page.locator('[data-testid=stock-state]')), 'paused');
    await page.locator('[data-testid=send-form] input[name=openid]').fill(OPENID);
    await page.locator('[data-testid=send-submit]').click();
    await notice('error').waitFor();
    assert.match(await text(notice('error')), /^[A-Z_]+: /);
    await page.locator('[data-testid=stock-restart]').click();
    await notice('ok').waitFor();
    assert.equal(await text(page.locator('[data-testid=stock-state]')), 'running');
  });

  test('a fault rule added on the faults page answers the next send, and can be removed', async () => {
    await page.goto(`${url}/console/faults`);
    await page.locator('select[name=api]').selectOption('favor.coupons.send');
    await page.locator('select[name=action]').selectOption('error');
    await page.locator('input[name=error_code]').fill('SYSTEM_ERROR');
    await page.locator('input[name=times]').fill('1');
    await page.locator('[data-testid=fault-add]').click();
    await notice('ok').waitFor();
    await sendFromStockPage(OPENID);
    assert.match(await text(notice('error')), /^SYSTEM_ERROR: /);
    await page.goto(`${url}/console/faults`);
    const rule = page.locator('#faults tbody tr').first();
    assert.match(await text(rule), /favor\.coupons\.send/);
    assert.match(await text(rule), /1 \/ 1/);
    await screenshots(page, 'faults');
    await rule.locator('[data-testid=fault-remove]').click();
    await notice('ok').waitFor();
    await page.locator('#faults td.empty').waitFor();
    await sendFromStockPage(OPENID);
    await notice('ok').waitFor();
  });

  test('a 商家券 budget is changed from its stock page', async () => {
    await page.goto(`${url}/console/stocks/busifavor/${busifavorStockId}`);
    await page.locator('input[name=target]').fill('250');
    await page.locator('[data-testid=budget-submit]').click();
    await notice('ok').waitFor();
    assert.match(await text(page.locator('.fields')), /0 \/ 250/);
    await screenshots(page, 'stock-busifavor');
  });

  test('the overview charts sends and errors per second', async () => {
    await page.goto(`${url}/console`);
    await page.locator('#rate-chart[data-drawn] polyline[data-series=sends]').waitFor();
    const series = (await page.evaluate(async () => (await fetch('/console/api/rates?seconds=300')).json())) as {
      sends: number[];
      errors: number[];
    };
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    assert.ok(sum(series.sends) >= 2, `sends counted: ${JSON.stringify(series.sends)}`);
    assert.ok(sum(series.errors) >= 2, `errors counted: ${JSON.stringify(series.errors)}`);
    await screenshots(page, 'overview');
  });

  test('advancing the clock past the stock end ends the stock', async (t2) => {
    await page.goto(`${url}/console/clock`);
    if (!clock) {
      await page.locator('[data-testid=unavailable]').waitFor();
      await screenshots(page, 'clock');
      t2.skip(CLOCK_MISSING);
      return;
    }
    await page.locator('input[name=by]').fill('90d');
    await page.locator('[data-testid=clock-advance]').click();
    await notice('ok').waitFor();
    await screenshots(page, 'clock');
    await page.goto(`${url}/console/stocks/favor/${stockId}`);
    assert.equal(await text(page.locator('[data-testid=stock-state]')), 'stoped');
    await t.admin('POST', '/clock/resume', {});
  });

  test('logging out ends the session', async () => {
    await page.goto(`${url}/console`);
    await page.locator('form.logout button').click();
    await page.waitForURL(`${url}/console/login`);
    await page.goto(`${url}/console/faults`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
  });

  /** Reloads `target` until `done` holds (a delivery happens in the background), within 30 s. */
  async function reloadUntil(target: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.goto(target);
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`${target}: condition not met within 30 s`);
      await new Promise((ok) => setTimeout(ok, 250));
    }
  }
});
