import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { createPlatform } from '../src/index.js';
import { sdkFor } from './helpers/fixtures.js';
import { stockAsRead } from './helpers/stock-as-read.js';

// SIGKILL under load: every coupon whose success was answered survives, and counters equal rows.

test('a platform killed while sending loses no answered coupon and leaves counters equal to rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-crash-'));
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', new URL('./helpers/serve-child.ts', import.meta.url).pathname, dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    let url = '';
    for await (const line of createInterface({ input: child.stdout })) {
      url = line.trim();
      break;
    }
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const creds = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'demo', 'credentials.json'), 'utf8'));
    const wxpay = sdkFor(creds, { baseURL: `${url}/` });
    const answered: string[] = [];
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const i = n++;
        try {
          const res = await wxpay.request<{ coupon_id: string }>('POST', 'v3/marketing/favor/users/{openid}/coupons', {
            openid: `o-crash-${i % 50}`,
            json: {
              stock_id: creds.favorStockId,
              out_request_no: `crash-${i}`,
              appid: creds.appid,
              stock_creator_mchid: creds.mchid,
            },
          });
          answered.push(res.data.coupon_id);
        } catch {
          return; // the process died under this request: its outcome is unknown to the client, as in real life
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    while (answered.length < 150) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    wxpay.close();

    const platform = await createPlatform({ dataDir: dir, log: () => {} });
    try {
      const db = platform.context.db;
      const rows = await db
        .selectFrom('favor_coupons')
        .select('coupon_id')
        .where('stock_id', '=', creds.favorStockId)
        .execute();
      const ids = new Set(rows.map((r) => r.coupon_id));
      for (const id of answered) assert.ok(ids.has(id), `answered coupon ${id} was lost`);
      const stock = await stockAsRead(db, creds.favorStockId);
      assert.equal(Number(stock.distributed_coupons), rows.length);
      assert.equal(Number(stock.distributed_amount), rows.length * Number(stock.coupon_amount));
      const perUser = await db
        .selectFrom('favor_user_counts')
        .select(['user_key', 'received'])
        .where('stock_id', '=', creds.favorStockId)
        .execute();
      assert.equal(
        perUser.reduce((sum, r) => sum + Number(r.received), 0),
        rows.length,
      );
    } finally {
      await platform.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
