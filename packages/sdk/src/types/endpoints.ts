import type { EncryptedCertificateEntry } from '../helpers/certificates.js';
import type * as B from './busifavor.js';
import type * as F from './favor.js';
import type * as V2 from './v2coupon.js';

// The one map from "METHOD /path/{param}" to request and response types. The chain's types are
// derived from it (see chain.ts); a path that is not here still works, loosely typed.
// `json` is the v3 body, `query` the query string, `xml` the v2 fields; `response` is `data`.

type Creator = { json: F.FavorStockCreatorBody };

export interface Endpoints {
  // Platform certificates (certificate mode), protocol.md §1.3
  'GET /v3/certificates': { response: { data: EncryptedCertificateEntry[] } };

  // 代金券 (favor), coupon-api.md §3
  'POST /v3/marketing/favor/coupon-stocks': { json: F.FavorStockCreateRequest; response: F.FavorStockCreateResponse };
  'POST /v3/marketing/favor/stocks/{stock_id}/start': Creator & { response: F.FavorStockStartResponse };
  'POST /v3/marketing/favor/stocks/{stock_id}/pause': Creator & { response: F.FavorStockPauseResponse };
  'POST /v3/marketing/favor/stocks/{stock_id}/restart': Creator & { response: F.FavorStockRestartResponse };
  'POST /v3/marketing/favor/stocks/{stock_id}/stop': Creator & { response: F.FavorStockStopResponse };
  'GET /v3/marketing/favor/stocks': { query: F.FavorStockListQuery; response: F.FavorPage<F.FavorStock> };
  'GET /v3/marketing/favor/stocks/{stock_id}': { query: { stock_creator_mchid: string }; response: F.FavorStock };
  'POST /v3/marketing/favor/users/{openid}/coupons': {
    json: F.FavorCouponSendRequest;
    response: F.FavorCouponSendResponse;
  };
  'GET /v3/marketing/favor/users/{openid}/coupons': {
    query: F.FavorUserCouponsQuery;
    response: { data?: F.FavorCoupon[]; total_count: number; limit: number; offset: number };
  };
  'GET /v3/marketing/favor/users/{openid}/coupons/{coupon_id}': { query: { appid: string }; response: F.FavorCoupon };
  'GET /v3/marketing/favor/stocks/{stock_id}/merchants': { query: F.FavorPagingQuery; response: F.FavorStringPage };
  'GET /v3/marketing/favor/stocks/{stock_id}/items': { query: F.FavorPagingQuery; response: F.FavorStringPage };
  'GET /v3/marketing/favor/stocks/{stock_id}/use-flow': { response: F.FavorFlowResponse };
  'GET /v3/marketing/favor/stocks/{stock_id}/refund-flow': { response: F.FavorFlowResponse };
  'POST /v3/marketing/favor/callbacks': { json: F.FavorCallbacksRequest; response: F.FavorCallbacksResponse };
  'GET /v3/marketing/favor/callbacks': { query: { mchid: string }; response: { mchid: string; notify_url: string } };

  // 商家券 (busifavor), coupon-api.md §4
  'POST /v3/marketing/busifavor/stocks': {
    json: B.BusifavorStockCreateRequest;
    response: B.BusifavorStockCreateResponse;
  };
  'GET /v3/marketing/busifavor/stocks/{stock_id}': { response: B.BusifavorStock };
  'PATCH /v3/marketing/busifavor/stocks/{stock_id}': { json: B.BusifavorStockModifyRequest; response: undefined };
  'PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget': {
    json: B.BusifavorBudgetRequest;
    response: B.BusifavorBudgetResponse;
  };
  'POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes': {
    json: B.CouponCodeUploadRequest;
    response: B.CouponCodeUploadResponse;
  };
  'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes': {
    query: B.CouponCodeListQuery;
    response: B.CouponCodeListResponse;
  };
  'GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}': {
    query: { appid?: string };
    response: B.CouponCodeDetailResponse;
  };
  'DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}': {
    query: { delete_request_no: string };
    response: B.CouponCodeDeleteResponse;
  };
  'POST /v3/marketing/busifavor/coupons/send': {
    json: B.BusifavorCouponSendRequest;
    response: B.BusifavorCouponSendResponse;
  };
  'POST /v3/marketing/busifavor/product-coupons/send': {
    json: B.ProductCouponSendRequest;
    response: B.ProductCouponSendResponse;
  };
  'POST /v3/marketing/busifavor/product-coupons/pre-send': {
    json: B.ProductCouponPreSendRequest;
    response: B.ProductCouponPreSendResponse;
  };
  'POST /v3/marketing/busifavor/coupons/use': {
    json: B.BusifavorCouponUseRequest;
    response: B.BusifavorCouponUseResponse;
  };
  'GET /v3/marketing/busifavor/users/{openid}/coupons': {
    query: B.BusifavorUserCouponsQuery;
    response: B.BusifavorUserCouponsResponse;
  };
  'GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}': { response: B.BusifavorCoupon };
  'POST /v3/marketing/busifavor/coupons/associate': {
    json: B.BusifavorAssociateRequest;
    response: { wechatpay_associate_time: string };
  };
  'POST /v3/marketing/busifavor/coupons/disassociate': {
    json: B.BusifavorAssociateRequest;
    response: { wechatpay_disassociate_time: string };
  };
  'POST /v3/marketing/busifavor/coupons/return': {
    json: B.BusifavorReturnRequest;
    response: { wechatpay_return_time: string };
  };
  'POST /v3/marketing/busifavor/coupons/deactivate': {
    json: B.BusifavorDeactivateRequest;
    response: { wechatpay_deactivate_time: string };
  };
  'POST /v3/marketing/busifavor/callbacks': {
    json: B.BusifavorCallbacksRequest;
    response: B.BusifavorCallbacksResponse;
  };
  'GET /v3/marketing/busifavor/callbacks': {
    query: { mchid?: string };
    response: { notify_url: string; mchid: string };
  };

  // APIv2 代金券, coupon-api.md §2 (`v2/` selects the XML transport and is not sent)
  'POST /v2/mmpaymkttransfers/send_coupon': { xml: V2.SendCouponRequest; response: V2.SendCouponResponse };
  'POST /v2/mmpaymkttransfers/query_coupon_stock': {
    xml: V2.QueryCouponStockRequest;
    response: V2.QueryCouponStockResponse;
  };
  'POST /v2/mmpaymkttransfers/querycouponsinfo': {
    xml: V2.QueryCouponsInfoRequest;
    response: V2.QueryCouponsInfoResponse;
  };
}

export type EndpointKey = keyof Endpoints;
