import { OPENID } from '../../http/validator.js';
import { V2Failure } from './v2-failure.js';
import type { V2ErrorCode } from './v2coupon.codes.js';

// Request fields of the three v2 代金券 APIs (coupon-api.md §2.1–§2.4). Every value arrives as a
// string; these parsers check presence, length and form, and fail with the documented code
// (the *_EMPTY codes for the ids that have one, PARAM_ERROR naming the field otherwise).

export interface SendCouponInput {
  stockId: string;
  openid: string;
  appid: string;
  partnerTradeNo: string;
  deviceInfo: string;
}

export interface QueryStockInput {
  stockId: string;
  appid: string;
  deviceInfo: string;
}

export interface QueryCouponInput {
  couponId: string;
  stockId: string;
  openid: string;
  appid: string;
  deviceInfo: string;
}

type Fields = Record<string, string>;

const ID = /^\d{1,20}$/;
const TRADE_NO = /^[A-Za-z0-9|_*-]{1,64}$/;

export function parseSendCoupon(f: Fields): SendCouponInput {
  const common = parseCommon(f);
  const stockId = required(f, 'coupon_stock_id', 'COUPON_STOCK_ID_EMPTY', ID, '应为 1 到 20 位数字');
  const count = f['openid_count'] ?? '';
  if (count === '') fail('openid_count', '不能为空');
  if (count !== '1') fail('openid_count', '目前仅支持 1');
  return {
    stockId,
    openid: required(f, 'openid', 'OPEN_ID_EMPTY', OPENID, '应为 1 到 128 位字母、数字、_ 或 -'),
    partnerTradeNo: required(f, 'partner_trade_no', 'PARAM_ERROR', TRADE_NO, '应为 1 到 64 位字母、数字或 |_*-'),
    ...common,
  };
}

export function parseQueryStock(f: Fields): QueryStockInput {
  const common = parseCommon(f);
  return { stockId: required(f, 'coupon_stock_id', 'COUPON_STOCK_ID_EMPTY', ID, '应为 1 到 20 位数字'), ...common };
}

export function parseQueryCoupon(f: Fields): QueryCouponInput {
  const common = parseCommon(f);
  return {
    couponId: required(f, 'coupon_id', 'PARAM_ERROR', ID, '应为 1 到 20 位数字'),
    stockId: required(f, 'stock_id', 'COUPON_STOCK_ID_EMPTY', ID, '应为 1 到 20 位数字'),
    openid: required(f, 'openid', 'OPEN_ID_EMPTY', OPENID, '应为 1 到 128 位字母、数字、_ 或 -'),
    ...common,
  };
}

/** Fields every v2 coupon API takes: appid and nonce_str (required), the optional ones by their limits. */
function parseCommon(f: Fields): { appid: string; deviceInfo: string } {
  const nonce = f['nonce_str'] ?? '';
  if (nonce === '') fail('nonce_str', '不能为空');
  if (nonce.length > 32) fail('nonce_str', '长度不能超过 32');
  const appid = required(f, 'appid', 'PARAM_ERROR', /^[A-Za-z0-9_-]{1,32}$/, '应为 1 到 32 位字母、数字、_ 或 -');
  for (const name of ['op_user_id', 'device_info'] as const) {
    if ((f[name] ?? '').length > 32) fail(name, '长度不能超过 32');
  }
  if (f['version'] && f['version'] !== '1.0') fail('version', '只支持 1.0');
  if (f['type'] && f['type'] !== 'XML') fail('type', '只支持 XML');
  return { appid, deviceInfo: f['device_info'] ?? '' };
}

function required(f: Fields, name: string, emptyCode: V2ErrorCode, form: RegExp, formIssue: string): string {
  const value = f[name] ?? '';
  if (value === '') {
    if (emptyCode === 'PARAM_ERROR') fail(name, '不能为空');
    throw new V2Failure(emptyCode, 'result');
  }
  if (!form.test(value)) fail(name, formIssue);
  return value;
}

function fail(field: string, issue: string): never {
  throw new V2Failure('PARAM_ERROR', 'result', `校验参数错误：${field} ${issue}`);
}
