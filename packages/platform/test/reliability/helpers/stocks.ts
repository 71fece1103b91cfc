import { stockBody } from '../../helpers/fixtures.js';
import type { SignedClient } from '../../helpers/signed-fetch.js';

/** Creates and starts a 代金券 stock of `maxCoupons` through the API; returns its id. */
export async function runningStock(
  client: SignedClient,
  mchid: string,
  maxCoupons: number,
  rule: Record<string, unknown> = {},
): Promise<string> {
  const body = stockBody(
    mchid,
    { available_begin_time: new Date().toISOString() },
    { max_coupons: maxCoupons, max_coupons_per_user: 1, ...rule },
  );
  const created = await client.post('/v3/marketing/favor/coupon-stocks', body);
  if (created.status !== 200) throw new Error(`create stock: ${created.status} ${created.text}`);
  const stockId = created.data.stock_id as string;
  const started = await client.post(`/v3/marketing/favor/stocks/${stockId}/start`, { stock_creator_mchid: mchid });
  if (started.status !== 200) throw new Error(`start stock: ${started.status} ${started.text}`);
  return stockId;
}

/** The send body for one request of a load run. */
export function sendBody(stockId: string, mchid: string, appid: string, outRequestNo: string) {
  return { stock_id: stockId, out_request_no: outRequestNo, appid, stock_creator_mchid: mchid };
}
