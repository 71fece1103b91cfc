import type { EncryptedCertificateEntry } from '../helpers/certificates.js';
import type * as B from './busifavor.js';
import type * as F from './favor.js';
import type * as V2 from './v2coupon.js';

// The one map from "METHOD /path/{param}" to request and response types, declared once as a value:
// its keys are the list of endpoints at run time (ENDPOINT_KEYS) and its entries' types are the map the
// chain's types derive from (see chain.ts); a path that is not here still works, loosely typed.
// `json` is the v3 body, `query` the query string, `xml` the v2 fields; `response` is `data`.

type Creator = { json: F.FavorStockCreatorBody };

/** The types of one endpoint, carried for the compiler: at run time an entry holds nothing. */
interface Entry<T> {
  readonly types?: T;
}

interface EndpointTypes {
  json?: unknown;
  query?: unknown;
  xml?: unknown;
  response: unknown;
}

// Annotated so that a bundle which never reads the map drops it.
/* @__NO_SIDE_EFFECTS__ */
function entry<T extends EndpointTypes>(): Entry<T> {
  return {};
}

const ENDPOINTS = {
  // Platform certificates (certificate mode), protocol.md §1.3
  'GET /v3/certificates': entry<{ response: { data: EncryptedCertificateEntry[] } }>(),

  // 代金券 (favor), coupon-api.md §3
  'POST /v3/marketing/favor/coupon-stocks': entry<{
    json: F.FavorStockCreateRequest;
    response: F.FavorStockCreateResponse;
  }>(),
  'POST /v3/marketing/favor/stocks/{stock_id}/start': entry<Creator & { response: F.FavorStockStartResponse }>(),
  'POST /v3/marketing/favor/stocks/{stock_id}/pause': entry<Creator & { response: F.FavorStockPauseResponse }>(),
  'POST /v3/marketing/favor/stocks/{stock_id}/restart': entry<Creator & { response: F.FavorStockRestartResponse }>(),
  'POST /v3/marketing/favor/stocks/{stock_id}/stop': entry<Creator & { response: F.FavorStockStopResponse }>(),
  'GET /v3/marketing/favor/stocks': entry<{ query: F.FavorStockListQuery; response: F.FavorPage<F.FavorStock> }>(),
  'GET /v3/marketing/favor/stocks/{stock_id}': entry<{
    query: { stock_creator_mchid: string };
    response: F.FavorStock;
  }>(),
  'POST /v3/marketing/favor/users/{openid}/coupons': entry<{
    json: F.FavorCouponSendRequest;
    response: F.FavorCouponSendResponse;
  }>(),
  'GET /v3/marketing/favor/users/{openid}/coupons': entry<{
    query: F.FavorUserCouponsQuery;
    response: { data?: F.FavorCoupon[]; total_count: number; limit: number; offset: number };
  }>(),
  'GET /v3/marketing/favor/users/{openid}/coupons/{coupon_id}': entry<{
    query: { appid: string };
    response: F.FavorCoupon;
  }>(),
  'GET /v3/marketing/favor/stocks/{stock_id}/merchants': entry<{
    query: F.FavorPagingQuery;
    response: F.FavorStringPage;
  }>(),
  'GET /v3/marketing/favor/stocks/{stock_id}/items': entry<{
    query: F.FavorPagingQuery;
    response: F.FavorStringPage;
  }>(),
  'GET /v3/marketing/favor/stocks/{stock_id}/use-flow': entry<{ response: F.FavorFlowResponse }>(),
  'GET /v3/marketing/favor/stocks/{stock_id}/refund-flow': entry<{ response: F.FavorFlowResponse }>(),
  'POST /v3/marketing/favor/callbacks': entry<{ json: F.FavorCallbacksRequest; response: F.FavorCallbacksResponse }>(),
  'GET /v3/marketing/favor/callbacks': entry<{
    query: { mchid: string };
    response: { mchid: string; notify_url: string };
  }>(),

  // 商家券 (busifavor), coupon-api.md §4
  'POST /v3/marketing/busifavor/stocks': entry<{
    json: B.BusifavorStockCreateRequest;
    response: B.BusifavorStockCreateResponse;
  }>(),
  'GET /v3/marketing/busifavor/stocks/{stock_id}': entry<{ response: B.BusifavorStock }>(),
  'PATCH /v3/marketing/busifavor/stocks/{stock_id}': entry<{
    json: B.BusifavorStockModifyRequest;
    response: undefined;
  }>(),
  'PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget': entry<{
    json: B.BusifavorBudgetRequest;
    response: B.BusifavorBudgetResponse;
  }>(),
  'POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes': entry<{
    json: B.CouponCodeUploadRequest;
    response: B.CouponCodeUploadResponse;
  }>(),
  'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes': entry<{
    query: B.CouponCodeListQuery;
    response: B.CouponCodeListResponse;
  }>(),
  'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}': entry<{
    query: { appid?: string };
    response: B.CouponCodeDetailResponse;
  }>(),
  'DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}': entry<{
    query: { delete_request_no: string };
    response: B.CouponCodeDeleteResponse;
  }>(),
  'POST /v3/marketing/busifavor/coupons/send': entry<{
    json: B.BusifavorCouponSendRequest;
    response: B.BusifavorCouponSendResponse;
  }>(),
  'POST /v3/marketing/busifavor/product-coupons/send': entry<{
    json: B.ProductCouponSendRequest;
    response: B.ProductCouponSendResponse;
  }>(),
  'POST /v3/marketing/busifavor/product-coupons/pre-send': entry<{
    json: B.ProductCouponPreSendRequest;
    response: B.ProductCouponPreSendResponse;
  }>(),
  'POST /v3/marketing/busifavor/coupons/use': entry<{
    json: B.BusifavorCouponUseRequest;
    response: B.BusifavorCouponUseResponse;
  }>(),
  'GET /v3/marketing/busifavor/users/{openid}/coupons': entry<{
    query: B.BusifavorUserCouponsQuery;
    response: B.BusifavorUserCouponsResponse;
  }>(),
  'GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}': entry<{
    response: B.BusifavorCoupon;
  }>(),
  'POST /v3/marketing/busifavor/coupons/associate': entry<{
    json: B.BusifavorAssociateRequest;
    response: { wechatpay_associate_time: string };
  }>(),
  'POST /v3/marketing/busifavor/coupons/disassociate': entry<{
    json: B.BusifavorAssociateRequest;
    response: { wechatpay_disassociate_time: string };
  }>(),
  'POST /v3/marketing/busifavor/coupons/return': entry<{
    json: B.BusifavorReturnRequest;
    response: { wechatpay_return_time: string };
  }>(),
  'POST /v3/marketing/busifavor/coupons/deactivate': entry<{
    json: B.BusifavorDeactivateRequest;
    response: { wechatpay_deactivate_time: string };
  }>(),
  'POST /v3/marketing/busifavor/callbacks': entry<{
    json: B.BusifavorCallbacksRequest;
    response: B.BusifavorCallbacksResponse;
  }>(),
  'GET /v3/marketing/busifavor/callbacks': entry<{
    query: { mchid?: string };
    response: { notify_url: string; mchid: string };
  }>(),

  // APIv2 代金券, coupon-api.md §2 (`v2/` selects the XML transport and is not sent)
  'POST /v2/mmpaymkttransfers/send_coupon': entry<{ xml: V2.SendCouponRequest; response: V2.SendCouponResponse }>(),
  'POST /v2/mmpaymkttransfers/query_coupon_stock': entry<{
    xml: V2.QueryCouponStockRequest;
    response: V2.QueryCouponStockResponse;
  }>(),
  'POST /v2/mmpaymkttransfers/querycouponsinfo': entry<{
    xml: V2.QueryCouponsInfoRequest;
    response: V2.QueryCouponsInfoResponse;
  }>(),
} as const;

export type Endpoints = { [K in keyof typeof ENDPOINTS]: NonNullable<(typeof ENDPOINTS)[K]['types']> };

export type EndpointKey = keyof Endpoints;

/**
 * Every key of the endpoint map, at run time: for tools and for tests that hold a server to the same
 * list (the platform answering each of these routes keeps the two from drifting).
 */
export const ENDPOINT_KEYS = Object.freeze(Object.keys(ENDPOINTS) as EndpointKey[]);
