import type { EndpointKey } from './endpoints.js';

/**
 * Every key of the endpoint map, at run time: for tools and for tests that hold a server to the same
 * list (the platform answering each of these routes keeps the two from drifting).
 */
export const ENDPOINT_KEYS = [
  'GET /v3/certificates',
  'POST /v3/marketing/favor/coupon-stocks',
  'POST /v3/marketing/favor/stocks/{stock_id}/start',
  'POST /v3/marketing/favor/stocks/{stock_id}/pause',
  'POST /v3/marketing/favor/stocks/{stock_id}/restart',
  'POST /v3/marketing/favor/stocks/{stock_id}/stop',
  'GET /v3/marketing/favor/stocks',
  'GET /v3/marketing/favor/stocks/{stock_id}',
  'POST /v3/marketing/favor/users/{openid}/coupons',
  'GET /v3/marketing/favor/users/{openid}/coupons',
  'GET /v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
  'GET /v3/marketing/favor/stocks/{stock_id}/merchants',
  'GET /v3/marketing/favor/stocks/{stock_id}/items',
  'GET /v3/marketing/favor/stocks/{stock_id}/use-flow',
  'GET /v3/marketing/favor/stocks/{stock_id}/refund-flow',
  'POST /v3/marketing/favor/callbacks',
  'GET /v3/marketing/favor/callbacks',
  'POST /v3/marketing/busifavor/stocks',
  'GET /v3/marketing/busifavor/stocks/{stock_id}',
  'PATCH /v3/marketing/busifavor/stocks/{stock_id}',
  'PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget',
  'POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes',
  'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes',
  'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}',
  'DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}',
  'POST /v3/marketing/busifavor/coupons/send',
  'POST /v3/marketing/busifavor/product-coupons/send',
  'POST /v3/marketing/busifavor/product-coupons/pre-send',
  'POST /v3/marketing/busifavor/coupons/use',
  'GET /v3/marketing/busifavor/users/{openid}/coupons',
  'GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}',
  'POST /v3/marketing/busifavor/coupons/associate',
  'POST /v3/marketing/busifavor/coupons/disassociate',
  'POST /v3/marketing/busifavor/coupons/return',
  'POST /v3/marketing/busifavor/coupons/deactivate',
  'POST /v3/marketing/busifavor/callbacks',
  'GET /v3/marketing/busifavor/callbacks',
  'POST /v2/mmpaymkttransfers/send_coupon',
  'POST /v2/mmpaymkttransfers/query_coupon_stock',
  'POST /v2/mmpaymkttransfers/querycouponsinfo',
] as const satisfies readonly EndpointKey[];

// Fails to compile if the map gains a key this list lacks.
type Missing = Exclude<EndpointKey, (typeof ENDPOINT_KEYS)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;
