import { type Text, V2_WHY, v2ParamText, WHY } from '../../errors/messages.js';
import { OPENID } from '../../http/validator.js';
import { V2Failure } from './v2-failure.js';
import type { V2ErrorCode } from './v2coupon.errors.js';

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
  const stockId = required(f, 'coupon_stock_id', 'COUPON_STOCK_ID_EMPTY', ID, V2_WHY.digits);
  const count = f['openid_count'] ?? '';
  if (count === '') fail('openid_count', V2_WHY.empty);
  if (count !== '1') fail('openid_count', V2_WHY.onlyOne);
  return {
    stockId,
    openid: required(f, 'openid', 'OPEN_ID_EMPTY', OPENID, V2_WHY.idForm(128)),
    partnerTradeNo: required(f, 'partner_trade_no', 'PARAM_ERROR', TRADE_NO, V2_WHY.tradeNo),
    ...common,
  };
}

export function parseQueryStock(f: Fields): QueryStockInput {
  const common = parseCommon(f);
  return { stockId: required(f, 'coupon_stock_id', 'COUPON_STOCK_ID_EMPTY', ID, V2_WHY.digits), ...common };
}

export function parseQueryCoupon(f: Fields): QueryCouponInput {
  const common = parseCommon(f);
  return {
    couponId: required(f, 'coupon_id', 'PARAM_ERROR', ID, V2_WHY.digits),
    stockId: required(f, 'stock_id', 'COUPON_STOCK_ID_EMPTY', ID, V2_WHY.digits),
    openid: required(f, 'openid', 'OPEN_ID_EMPTY', OPENID, V2_WHY.idForm(128)),
    ...common,
  };
}

/** Fields every v2 coupon API takes: appid and nonce_str (required), the optional ones by their limits. */
function parseCommon(f: Fields): { appid: string; deviceInfo: string } {
  const nonce = f['nonce_str'] ?? '';
  if (nonce === '') fail('nonce_str', V2_WHY.empty);
  if (nonce.length > 32) fail('nonce_str', WHY.maxLength(32));
  const appid = required(f, 'appid', 'PARAM_ERROR', /^[A-Za-z0-9_-]{1,32}$/, V2_WHY.idForm(32));
  for (const name of ['op_user_id', 'device_info'] as const) {
    if ((f[name] ?? '').length > 32) fail(name, WHY.maxLength(32));
  }
  if (f['version'] && f['version'] !== '1.0') fail('version', WHY.oneOf(['1.0']));
  if (f['type'] && f['type'] !== 'XML') fail('type', WHY.oneOf(['XML']));
  return { appid, deviceInfo: f['device_info'] ?? '' };
}

function required(f: Fields, name: string, emptyCode: V2ErrorCode, form: RegExp, formIssue: Text): string {
  const value = f[name] ?? '';
  if (value === '') {
    if (emptyCode === 'PARAM_ERROR') fail(name, V2_WHY.empty);
    throw new V2Failure(emptyCode, 'result');
  }
  if (!form.test(value)) fail(name, formIssue);
  return value;
}

function fail(field: string, why: Text): never {
  throw new V2Failure('PARAM_ERROR', 'result', v2ParamText(field, why));
}
