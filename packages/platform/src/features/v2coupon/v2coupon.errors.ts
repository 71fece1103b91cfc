import { V2_MESSAGES } from '../../errors/messages.js';

// The v2 代金券 error codes (coupon-api.md §2.2–§2.4). Their texts, in every language and with their
// sources, are in the message registry.

export const V2_ERROR_CODES = V2_MESSAGES;

export type V2ErrorCode = keyof typeof V2_ERROR_CODES;

/**
 * The decimal `err_code` a merchant with decimal codes gets for a business failure (coupon-api.md §2.1,
 * §8.8). The official failure sample pairs `268456007` with 你已领取过该代金券; no source maps any other
 * code, so the rest are the platform's own: 2684560xx counts on from the sample, and the numbers never
 * change once published. Communication-layer failures keep their names (they carry no business result).
 */
export const V2_DECIMAL_CODES: Readonly<Partial<Record<V2ErrorCode, string>>> = {
  USER_AL_GET_COUPON: '268456007',
  PARAM_ERROR: '268456001',
  COUPON_STOCK_ID_EMPTY: '268456002',
  OPEN_ID_EMPTY: '268456003',
  AL_STOCK_OVER: '268456004',
  STOCK_IS_NOT_VALID: '268456005',
  STOCK_AMOUNT_NOT_ENOUGH: '268456006',
  FREQ_OVER_LIMIT: '268456008',
  USER_ACCOUNT_ABNORMAL: '268456009',
  COUPON_STOCK_ID_NOT_VALID: '268456010',
  COUPON_STOCK_NOT_FOUND: '268456011',
  COUPON_NOT_FOUND: '268456012',
  'NETWORK ERROR': '268456013',
};
