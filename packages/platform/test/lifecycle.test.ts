import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createPlatform, PlatformStartError } from '../src/index.js';
import { sdkFor } from './helpers/fixtures.js';

// Starting, restarting and failing to start.

describe('platform start and restart', () => {
  test('a first start writes credentials.json with absolute paths and PEM files beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-life-'));
    const platform = await createPlatform({ dataDir: dir, log: () => {} });
    try {
      const creds = JSON.parse(readFileSync(join(dir, 'demo', 'credentials.json'), 'utf8'));
      for (const key of [
        'baseURL',
        'mchid',
        'serial',
        'privateKeyFile',
        'certificateFile',
        'platformPublicKeyId',
        'platformPublicKeyFile',
        'apiV3Key',
        'apiV2Key',
        'appid',
        'favorStockId',
      ]) {
        assert.equal(typeof creds[key], 'string', key);
      }
      for (const file of [creds.privateKeyFile, creds.certificateFile, creds.platformPublicKeyFile]) {
        assert.ok(file.startsWith(join(dir, 'demo')), file);
        assert.match(readFileSync(file, 'utf8'), /^-----BEGIN /);
      }
      assert.equal(Buffer.byteLength(creds.apiV3Key), 32);
      const { url } = await platform.listen({ host: '127.0.0.1', port: 0 });
      assert.equal(JSON.parse(readFileSync(join(dir, 'demo', 'credentials.json'), 'utf8')).baseURL, url);
      assert.ok(readFileSync(join(dir, 'admin-token'), 'utf8').trim().length >= 16);
    } finally {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a second start on the same data directory keeps merchants, keys, stocks and coupons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-life-'));
    try {
      const first = await createPlatform({ dataDir: dir, log: () => {} });
      const creds = first.credentials;
      const sent = await sdkFor(creds, { fetch: first.fetch }).request<{ coupon_id: string }>(
        'POST',
        'v3/marketing/favor/users/{openid}/coupons',
        {
          openid: 'o-restart',
          json: {
            stock_id: creds.favorStockId,
            out_request_no: 'restart-1',
            appid: creds.appid,
            stock_creator_mchid: creds.mchid,
          },
        },
      );
      await first.close();

      const second = await createPlatform({ dataDir: dir, log: () => {} });
      try {
        assert.deepEqual({ ...second.credentials, baseURL: '' }, { ...creds, baseURL: '' });
        assert.equal(second.adminToken, first.adminToken);
        const got = await sdkFor(second.credentials, { fetch: second.fetch }).request<{ status: string }>(
          'GET',
          'v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
          { openid: 'o-restart', coupon_id: sent.data.coupon_id, query: { appid: creds.appid } },
        );
        assert.equal(got.data.status, 'SENDED');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two instances starting at once on one empty database agree on one demo merchant', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'wxcoupon-life-'));
    const database = `sqlite:${join(parent, 'shared.sqlite')}`;
    try {
      const [a, b] = await Promise.all(
        ['a', 'b'].map((name) => createPlatform({ dataDir: join(parent, name), database, log: () => {} })),
      );
      try {
        // Same merchant, keys and stock; only the file paths differ (each instance writes its own data dir).
        const withoutFiles = (c: Record<string, string>) =>
          Object.fromEntries(Object.entries(c).filter(([k]) => !k.endsWith('File')));
        assert.deepEqual(withoutFiles(a!.credentials), withoutFiles(b!.credentials));
        const sent = await sdkFor(b!.credentials, { fetch: b!.fetch }).request<{ coupon_id: string }>(
          'POST',
          'v3/marketing/favor/users/{openid}/coupons',
          {
            openid: 'o-twins',
            json: {
              stock_id: a!.credentials.favorStockId,
              out_request_no: 'twins-1',
              appid: a!.credentials.appid,
              stock_creator_mchid: a!.credentials.mchid,
            },
          },
        );
        assert.match(sent.data.coupon_id, /^\d+$/);
      } finally {
        await a!.close();
        await b!.close();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a port in use fails with a message naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', () => ok()));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-life-'));
    const platform = await createPlatform({ dataDir: dir, log: () => {} });
    try {
      await assert.rejects(
        platform.listen({ host: '127.0.0.1', port, tlsPort: false } as { host: string; port: number }),
        (err: Error) => {
          assert.ok(err instanceof PlatformStartError);
          assert.match(err.message, new RegExp(`port ${port}.*already in use`));
          return true;
        },
      );
    } finally {
      await platform.close();
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a data directory that cannot be used fails with a message naming it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'wxcoupon-life-'));
    try {
      const file = join(parent, 'not-a-dir');
      writeFileSync(file, 'x');
      await assert.rejects(createPlatform({ dataDir: join(file, 'data'), log: () => {} }), (err: Error) => {
        assert.ok(err instanceof PlatformStartError);
        assert.match(err.message, /data directory .*not-a-dir/);
        return true;
      });
      if (process.getuid?.() !== 0) {
        const locked = join(parent, 'locked');
        mkdirSync(locked);
        chmodSync(locked, 0o000);
        await assert.rejects(createPlatform({ dataDir: locked, log: () => {} }), PlatformStartError);
        chmodSync(locked, 0o700);
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('an unsupported database URL fails with a message showing the accepted forms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-life-'));
    try {
      await assert.rejects(
        createPlatform({ dataDir: dir, database: 'mysql://x', log: () => {} }),
        /sqlite:<path> or postgres:\/\//,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
