import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestPlatform } from './helpers/platform.js';

// Liveness and readiness for process managers and load balancers: no authentication, JSON answers.

test('GET /healthz and GET /readyz answer JSON without authentication', async () => {
  const t = await startTestPlatform();
  try {
    const live = await t.platform.fetch(new Request('http://platform.test/healthz'));
    assert.equal(live.status, 200);
    assert.match(live.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await live.json(), { status: 'ok' });
    const ready = await t.platform.fetch(new Request('http://platform.test/readyz'));
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'ok', migrations: 'latest' });
  } finally {
    await t.close();
  }
});

test('GET /readyz is 503 once the database is gone', async () => {
  const t = await startTestPlatform();
  try {
    const { url } = await t.platform.listen({ port: 0, tlsPort: false });
    await t.platform.context.db.destroy();
    const down = await fetch(`${url}/readyz`);
    assert.equal(down.status, 503);
    const body = (await down.json()) as { status: string; database: string };
    assert.equal(body.status, 'unavailable');
    assert.match(body.database, /^unavailable: /);
    // Liveness does not depend on the database.
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  } finally {
    await t.close().catch(() => {});
  }
});

test('GET /readyz is 503 from the moment the platform starts closing', async () => {
  const t = await startTestPlatform();
  const closed = t.close();
  const r = await t.platform.fetch(new Request('http://platform.test/readyz'));
  assert.equal(r.status, 503);
  assert.deepEqual(await r.json(), { status: 'closing' });
  await closed;
});
