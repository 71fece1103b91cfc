import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BUSIFAVOR_LIMITS,
  type BusifavorHarness,
  busifavorStockBody,
  startBusifavor,
  unique,
} from './busifavor-helpers.js';
import { rejection, sdkFor } from './helpers/fixtures.js';
import { startTestPlatform } from './helpers/platform.js';

// Pre-uploaded codes of MERCHANT_UPLOAD stocks (B5–B8) and the guarantee that matters most: however
// many sends race, on one instance or several sharing the database, no code goes to two users.

describe('商家券 pre-uploaded codes', () => {
  let h: BusifavorHarness;

  before(async () => {
    h = await startBusifavor();
  });
  after(() => h.close());

  const upload = (stockId: string, codes: unknown[], no = unique('up')) =>
    h.wxpay.v3.marketing.busifavor.stocks._stock_id_.couponcodes.post({
      stock_id: stockId,
      json: { coupon_code_list: codes as string[], upload_request_no: no },
    });

  test('an upload reports new, already uploaded, duplicated and malformed codes separately', async () => {
    const stockId = await h.createStock('MERCHANT_UPLOAD');
    await upload(stockId, ['A-1']);
    const { data } = await upload(stockId, ['A-1', 'A-2', 'A-2', 'A-3', 'x'.repeat(33), 'bad#code']);
    assert.equal(data.stock_id, stockId);
    assert.equal(data.total_count, 5);
    assert.equal(data.success_count, 2);
    assert.deepEqual(data.success_codes, ['A-2', 'A-3']);
    assert.deepEqual(data.exist_codes, ['A-1']);
    assert.deepEqual(data.duplicate_codes, ['A-2']);
    assert.equal(data.fail_count, 2);
    assert.deepEqual(
      data.fail_codes?.map((f) => f.code),
      ['LENGTH_LIMIT', 'CHARACTER_INVALID'],
    );
    const stock = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
    assert.deepEqual(stock.data.coupon_code_count, { total_count: 3, available_count: 3 });
  });

  test('the same upload_request_no replays the first answer; with other codes it is RESOURCE_ALREADY_EXISTS', async () => {
    const stockId = await h.createStock('MERCHANT_UPLOAD');
    const no = unique('up');
    const first = await upload(stockId, ['R-1', 'R-2'], no);
    const again = await upload(stockId, ['R-1', 'R-2'], no);
    assert.deepEqual(again.data, first.data);
    const err = await rejection(upload(stockId, ['R-3'], no));
    assert.equal(err.code, 'RESOURCE_ALREADY_EXISTS');
  });

  test('uploading to a stock of another code mode is INVALID_REQUEST 发券模式不合法', async () => {
    for (const mode of ['WECHATPAY_MODE', 'MERCHANT_API']) {
      const stockId = await h.createStock(mode);
      const err = await rejection(upload(stockId, ['Z-1']));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'INVALID_REQUEST');
      assert.match(err.message, /发券模式不合法/);
    }
  });

  test('a stock holds at most max_coupons codes', async () => {
    const stockId = await h.createStock('MERCHANT_UPLOAD', { send: { max_coupons: 3 } });
    await upload(stockId, ['L-1', 'L-2']);
    const err = await rejection(upload(stockId, ['L-3', 'L-4']));
    assert.equal(err.code, 'INVALID_REQUEST');
    assert.match(err.message, /已达上限/);
  });

  test('codes are listed and read; a dispatched code shows its coupon and cannot be deleted', async () => {
    const stockId = await h.createStock('MERCHANT_UPLOAD');
    await upload(stockId, ['Q-1', 'Q-2', 'Q-3']);
    const code = await h.send(stockId, 'o-codes');
    const codes = h.wxpay.v3.marketing.busifavor.stocks._stock_id_.couponcodes;
    const list = await codes.get({ stock_id: stockId, query: { limit: 2, offset: 0 } });
    assert.equal(list.data.total_count, 3);
    assert.equal(list.data.data.length, 2);
    const dispatched = await codes.get({ stock_id: stockId, query: { status: 'DISPATCHED' } });
    assert.deepEqual(
      dispatched.data.data.map((c) => c.code),
      [code],
    );
    const detail = await codes._coupon_code_.get({ stock_id: stockId, coupon_code: code });
    assert.equal(detail.data.code_information.code_status, 'DISPATCHED');
    assert.equal(detail.data.code_information.openid, 'o-codes');
    assert.equal(detail.data.coupon_information?.coupon_code, code);
    const refused = await rejection(
      codes._coupon_code_.delete({
        stock_id: stockId,
        coupon_code: code,
        query: { delete_request_no: unique('del') },
      } as never),
    );
    assert.equal(refused.code, 'INVALID_REQUEST');
    const free = ['Q-1', 'Q-2', 'Q-3'].find((c) => c !== code) as string;
    const removed = await codes._coupon_code_.delete({
      stock_id: stockId,
      coupon_code: free,
      query: { delete_request_no: unique('del') },
    } as never);
    assert.equal(removed.data.stock_id, stockId);
    const gone = await rejection(codes._coupon_code_.get({ stock_id: stockId, coupon_code: free }));
    assert.equal(gone.code, 'RESOURCE_NOT_EXISTS');
  });

  test('the admin reset returns dispatched codes to the pool and clears issued coupons', async () => {
    const stockId = await h.createStock('MERCHANT_UPLOAD');
    await upload(stockId, ['RS-1', 'RS-2']);
    await h.send(stockId, 'o-reset');
    const reset = await h.admin('POST', '/reset');
    assert.equal(reset.status, 200);
    const stock = await h.wxpay.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
    assert.deepEqual(stock.data.coupon_code_count, { total_count: 2, available_count: 2 });
    assert.equal(stock.data.send_count_information?.total_send_num, 0);
    const held = await h.wxpay.v3.marketing.busifavor.users._openid_.coupons.get({
      openid: 'o-reset',
      query: { appid: h.appid, creator_merchant: h.mchid },
    });
    assert.equal(held.data.total_count, 0);
  });

  test('an empty pool answers NOT_ENOUGH', async () => {
    const stockId = await h.createStock('MERCHANT_UPLOAD');
    await upload(stockId, ['E-1']);
    await h.send(stockId, 'o-empty-1');
    const err = await rejection(h.send(stockId, 'o-empty-2'));
    assert.equal(err.code, 'NOT_ENOUGH');
  });
});

test('concurrent sends on two instances sharing one database never hand one code to two users', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-busifavor-pool-'));
  const first = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
  // The second instance opens the same data directory, hence the same database and merchant.
  const second = await startTestPlatform({ rateLimits: BUSIFAVOR_LIMITS, dataDir });
  const clients = [first, second].map((t) => sdkFor(t.platform.credentials, { fetch: t.platform.fetch }));
  try {
    const [a, b] = clients as [ReturnType<typeof sdkFor>, ReturnType<typeof sdkFor>];
    const creds = first.platform.credentials;
    const stock = await a.v3.marketing.busifavor.stocks.post({
      json: busifavorStockBody(creds.mchid, 'MERCHANT_UPLOAD') as never,
    });
    const stockId = stock.data.stock_id;
    const pool = Array.from({ length: 30 }, (_, i) => `POOL-${i}`);
    await a.v3.marketing.busifavor.stocks._stock_id_.couponcodes.post({
      stock_id: stockId,
      json: { coupon_code_list: pool, upload_request_no: unique('pool') },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 45 }, (_, i) =>
        (i % 2 ? a : b).v3.marketing.busifavor.coupons.send.post({
          json: { stock_id: stockId, openid: `o-pool-${i}`, appid: creds.appid, out_request_no: unique('ps') },
        }),
      ),
    );
    const codes = outcomes.flatMap((o) =>
      o.status === 'fulfilled'
        ? [(o.value.data as { send_coupon_result: { coupon_code: string } }).send_coupon_result.coupon_code]
        : [],
    );
    const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { code: string }).code] : []));
    assert.equal(codes.length, 30, `refusals: ${refusals.join()}`);
    assert.equal(new Set(codes).size, 30);
    assert.deepEqual([...new Set(refusals)], ['NOT_ENOUGH']);
    const rows = await first.platform.context.db
      .selectFrom('busifavor_coupons')
      .select(['coupon_code', 'openid'])
      .where('stock_id', '=', stockId)
      .execute();
    assert.equal(rows.length, 30);
    assert.equal(new Set(rows.map((r) => r.coupon_code)).size, 30);
    const view = await b.v3.marketing.busifavor.stocks._stock_id_.get({ stock_id: stockId });
    assert.deepEqual(view.data.coupon_code_count, { total_count: 30, available_count: 0 });
    assert.equal(view.data.send_count_information?.total_send_num, 30);
  } finally {
    for (const c of clients) c.close();
    await second.close();
    await first.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
