import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { beijingDay } from '../../src/clock.js';
import { stockBody } from '../helpers/fixtures.js';
import type { SignedClient } from '../helpers/signed-fetch.js';
import { testEngine } from '../helpers/test-database.js';
import { eventually } from '../notify-helpers.js';
import { adminCall } from './helpers/admin.js';
import { type Cluster, type Instance, startCluster } from './helpers/cluster.js';
import { sendBody } from './helpers/stocks.js';

// The test clock is one clock for every instance on the database: a move made through one instance is
// what the others read (at once through the admin API, within a second for business rules), and the
// offset outlives the instances.

describe(`the test clock shared by two instances on one ${testEngine()} database`, () => {
  let cluster: Cluster;
  let a: Instance;
  let b: Instance;
  let viaB: SignedClient;
  const admin = (i: Instance, method: string, path: string, body?: unknown) =>
    adminCall(i, cluster.adminToken, method, path, body);

  before(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.instances as [Instance, Instance];
    viaB = cluster.client(b);
  });
  after(() => cluster?.close());

  test('a clock advanced through one instance is the clock of the other, for its admin API and its sends', async () => {
    const moved = await admin(a, 'POST', '/clock/advance', { by: '25h' });
    assert.equal(moved.status, 200);
    assert.equal(moved.data.offset_seconds, 25 * 3600);

    // A stock that begins at the moved time, created through A: B sends from it once it has the new clock.
    const { mchid, appid } = cluster.credentials;
    const begin = moved.data.now_ms as number;
    const created = await cluster.client(a).post(
      '/v3/marketing/favor/coupon-stocks',
      stockBody(mchid, {
        available_begin_time: new Date(begin).toISOString(),
        available_end_time: new Date(begin + 86_400_000).toISOString(),
      }),
    );
    assert.equal(created.status, 200, created.text);
    const stockId = created.data.stock_id as string;
    const started = await viaB.post(`/v3/marketing/favor/stocks/${stockId}/start`, { stock_creator_mchid: mchid });
    assert.equal(started.status, 200, started.text);
    let n = 0;
    const sent = await eventually(async () => {
      const r = await viaB.post('/v3/marketing/favor/users/o-shared-clock/coupons', {
        ...sendBody(stockId, mchid, appid, `shared-clock-${++n}`),
      });
      return r.status === 200 && r;
    }, 10_000);
    assert.match(sent.data.coupon_id, /^\d+$/);

    const seenByB = await admin(b, 'GET', '/clock');
    assert.equal(seenByB.data.offset_seconds, 25 * 3600);
    assert.ok(Math.abs(seenByB.data.now_ms - (Date.now() + 25 * 3_600_000)) < 60_000);
  });

  test('a clock resumed through one instance is resumed for the other, and survives both being restarted', async () => {
    const day = beijingDay(Date.now() + 100 * 86_400_000);
    assert.equal((await admin(b, 'POST', '/clock/set', { time: `${day}T00:00:00+08:00` })).status, 200);
    const seenByA = await admin(a, 'GET', '/clock');
    assert.ok(seenByA.data.now.startsWith(`${day}T00:0`), seenByA.data.now);

    await Promise.all([a.stop(), b.stop()]);
    cluster.instances.splice(0);
    const [c] = await Promise.all([cluster.spawn(), cluster.spawn()]);
    const afterRestart = await admin(c as Instance, 'GET', '/clock');
    assert.equal(afterRestart.data.offset_seconds, seenByA.data.offset_seconds);

    const [x, y] = cluster.instances as [Instance, Instance];
    assert.equal((await admin(x, 'POST', '/clock/resume')).data.offset_seconds, 0);
    assert.equal((await admin(y, 'GET', '/clock')).data.offset_seconds, 0);
  });
});
