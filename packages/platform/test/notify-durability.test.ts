import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUSIFAVOR_LIMITS, busifavorStockBody, unique } from './busifavor-helpers.js';
import { sdkFor } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { eventually, FAST_DELIVERY, startReceiver } from './notify-helpers.js';

// The outbox survives a restart and is shared safely: a notification that failed on one instance is
// delivered by the next start, and two instances on one database deliver each notification once.

async function sendCoupons(t: TestPlatform, receiverUrl: string, count: number): Promise<void> {
  const wxpay = sdkFor(t.platform.credentials, { fetch: t.platform.fetch });
  try {
    const c = t.platform.credentials;
    await wxpay.v3.marketing.busifavor.callbacks.post({ json: { notify_url: receiverUrl } });
    const stock = await wxpay.v3.marketing.busifavor.stocks.post({
      json: busifavorStockBody(c.mchid, 'WECHATPAY_MODE') as never,
    });
    for (let i = 0; i < count; i++) {
      await wxpay.v3.marketing.busifavor.coupons.send.post({
        json: { stock_id: stock.data.stock_id, openid: `o-durable-${i}`, appid: c.appid, out_request_no: unique('ds') },
      });
    }
  } finally {
    wxpay.close();
  }
}

test('a notification pending when the platform stops is delivered after it starts again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-notify-restart-'));
  const receiver = await startReceiver();
  let second: TestPlatform | undefined;
  try {
    const first = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
    // A long retry delay: the second attempt can only come from the next start.
    await first.admin('PUT', '/notifications/settings', { ...FAST_DELIVERY, retry_delays_ms: [600] });
    receiver.plan.set('/restart', [500]);
    await sendCoupons(first, `${receiver.url}/restart`, 1);
    await eventually(() => receiver.received.length === 1);
    const pending = await eventually(async () => {
      const r = await first.admin('GET', '/notifications?status=PENDING');
      return r.data.data[0]?.attempts === 1 && r.data.data[0];
    });
    await first.close();

    second = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
    const done = await eventually(async () => {
      const r = await second?.admin('GET', `/notifications/${pending.id}`);
      return r?.data.status === 'DELIVERED' && r.data;
    });
    assert.equal(done.attempts, 2);
    assert.equal(receiver.received.length, 2);
    const [a, b] = done.attempt_log as { instance: string; ok: boolean }[];
    assert.ok(a && b);
    assert.notEqual(a.instance, b.instance);
    assert.deepEqual([a.ok, b.ok], [false, true]);
  } finally {
    await second?.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('two instances on one database deliver every notification exactly once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-notify-shared-'));
  const receiver = await startReceiver();
  const one = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
  const two = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
  try {
    await one.admin('PUT', '/notifications/settings', FAST_DELIVERY);
    await Promise.all([sendCoupons(one, `${receiver.url}/shared`, 8), sendCoupons(two, `${receiver.url}/shared`, 8)]);
    const listed = await eventually(async () => {
      const r = await two.admin('GET', '/notifications?status=DELIVERED&limit=100');
      return r.data.data.length === 16 && r.data.data;
    });
    // Give a duplicate delivery, if the claims were wrong, time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    const ids = receiver.received.map((r) => JSON.parse(r.body).id as string);
    assert.equal(ids.length, 16);
    assert.equal(new Set(ids).size, 16);
    for (const n of listed) assert.equal(n.attempts, 1);
  } finally {
    await two.close();
    await one.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a claim left by a dead instance is taken over once its lease expires, not before', async () => {
  const receiver = await startReceiver();
  const t = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS });
  try {
    await t.admin('PUT', '/notifications/settings', FAST_DELIVERY);
    const ctx = t.platform.context;
    const leaseEnd = Date.now() + 700;
    // As if another instance had claimed the row and then died mid-delivery.
    const id = await ctx.db.transaction().execute(async (trx) => {
      const created = await ctx.services.notify.enqueue(trx, {
        mchid: t.platform.credentials.mchid,
        notifyUrl: `${receiver.url}/orphan`,
        eventType: 'COUPON.SEND',
        summary: '商家券领券通知',
        resource: { coupon_code: 'ORPHAN', stock_id: '1', send_time: '', send_channel: 'BUSICOUPON_SEND_CHANNEL_API' },
      });
      await trx
        .updateTable('notify_outbox')
        .set({ claimed_by: 'dead-instance', lease_until: leaseEnd })
        .where('id', '=', created)
        .execute();
      return created;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(receiver.received.length, 0, 'delivered while the lease still held');
    const done = await eventually(async () => {
      const r = await t.admin('GET', `/notifications/${id}`);
      return r.data.status === 'DELIVERED' && r.data;
    });
    assert.ok(Date.parse(done.delivered_time) >= Math.floor(leaseEnd / 1000) * 1000);
    assert.equal(receiver.received.length, 1);
    assert.notEqual(done.attempt_log[0].instance, 'dead-instance');
  } finally {
    await t.close();
    await receiver.close();
  }
});

/** A receiver that holds every notification `holdMs` before answering 200; counts what it answered. */
async function slowReceiver(holdMs: number) {
  let answered = 0;
  let arrived = 0;
  const server = createServer((req, res) => {
    arrived++;
    req.resume();
    setTimeout(() => {
      answered++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"code":"SUCCESS","message":"成功"}');
    }, holdMs);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`,
    arrived: () => arrived,
    answered: () => answered,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

test('closing lets a delivery in flight finish and records it, within the drain timeout', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-notify-finish-'));
  const receiver = await slowReceiver(400);
  let again: TestPlatform | undefined;
  try {
    const first = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
    await first.admin('PUT', '/notifications/settings', { ...FAST_DELIVERY, lease_ms: 60_000 });
    await sendCoupons(first, receiver.url, 1);
    await eventually(() => receiver.arrived() === 1);
    await first.platform.close({ drainTimeoutMs: 10_000 });
    assert.equal(receiver.answered(), 1);
    // The database is closed now: read the outcome through a fresh start on the same data.
    again = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
    const r = await again.admin('GET', '/notifications');
    assert.equal(r.data.data[0]?.status, 'DELIVERED');
    assert.equal(r.data.data[0]?.attempts, 1);
  } finally {
    await again?.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a delivery still in flight at the drain deadline is broken off and its claim given back at once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-notify-release-'));
  const receiver = await slowReceiver(30_000);
  let second: TestPlatform | undefined;
  try {
    const first = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
    // A lease far longer than the test: only a released claim lets the next start deliver.
    await first.admin('PUT', '/notifications/settings', { ...FAST_DELIVERY, lease_ms: 600_000, timeout_ms: 60_000 });
    await sendCoupons(first, receiver.url, 1);
    await eventually(() => receiver.arrived() === 1);
    const started = Date.now();
    await first.platform.close({ drainTimeoutMs: 200 });
    assert.ok(Date.now() - started < 5000, 'close did not wait for the receiver');

    second = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
    const r = await second.admin('GET', '/notifications');
    assert.equal(r.data.data[0]?.status, 'PENDING');
    assert.equal(r.data.data[0]?.attempts, 0, 'a broken-off delivery is not a failed attempt');
    await eventually(() => receiver.arrived() === 2, 5000);
  } finally {
    await second?.platform.close({ drainTimeoutMs: 0 });
    await second?.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
