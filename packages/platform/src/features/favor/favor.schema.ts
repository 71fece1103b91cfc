import { parseRfc3339 } from '../../clock.js';
import { MESSAGES } from '../../errors/messages.js';
import { type FieldReader, MCHID, REQUEST_NO, REQUEST_NO_ISSUE } from '../../http/validator.js';

// Request parsing for the 代金券 APIs, with the limits of coupon-api.md §3.3–§3.11. Each parser
// returns plain typed values; the service applies the rules that need the database.

export const STOCK_STATUSES = ['unactivated', 'audit', 'running', 'stoped', 'paused'] as const;
export const COUPON_STATUSES = ['SENDED', 'USED', 'EXPIRED'] as const;
const TRADE_TYPES = ['MICROAPP', 'APPPAY', 'PPAY', 'CARD', 'FACE', 'OTHER'] as const;
const COLORS = ['010', '020', '030', '040', '050', '060', '070', '080', '081', '082', '090', '100', '101', '102'].map(
  (n) => `COLOR${n}`,
);
const JUMP_TARGETS = ['PAYMENT_CODE', 'MINI_PROGRAM', 'DEFAULT_PAGE'] as const;
const DAY_MS = 86_400_000;

export interface CreateStockInput {
  stockName: string;
  comment: string | undefined;
  belongMerchant: string;
  beginMs: number;
  endMs: number;
  maxCoupons: number;
  maxAmount: number;
  maxAmountByDay: number | undefined;
  maxCouponsPerUser: number;
  naturalPersonLimit: boolean;
  preventApiAbuse: boolean;
  couponAmount: number;
  transactionMinimum: number;
  noCash: boolean;
  outRequestNo: string;
  availableMerchants: string[];
  singleitem: boolean;
  /** Everything else of the request that the stock keeps and echoes (pattern_info, rules, …). */
  rules: StockRules;
}

export interface StockRules {
  description: string;
  pattern_info?: Record<string, unknown>;
  goods_tag?: string[];
  trade_type?: string[];
  combine_use?: boolean;
  available_items?: string[];
  available_merchants: string[];
  coupon_available_time?: { second_day_available?: boolean; available_time_after_receive?: number };
  limit_pay?: string[];
  limit_card?: Record<string, unknown>;
  ext_info?: string;
}

export function parseCreateStock(b: FieldReader, now: number): CreateStockInput {
  const stockName = b.string('/stock_name', { required: true, min: 1, max: 20 });
  if (/[_,;|]/.test(stockName)) b.fail('/stock_name', stockName, 'must not contain _ , ; or |');
  const comment = b.string('/comment', { min: 1, max: 60 });
  const belongMerchant = b.string('/belong_merchant', {
    required: true,
    max: 20,
    pattern: MCHID,
    patternIssue: 'must be a merchant number',
  });
  const beginText = b.string('/available_begin_time', { required: true, max: 32 });
  const endText = b.string('/available_end_time', { required: true, max: 32 });
  const beginMs = time(b, '/available_begin_time', beginText);
  const endMs = time(b, '/available_end_time', endText);
  // A minute of grace: a client's "now" is already in the past when it arrives.
  if (beginMs < now - 60_000) b.fail('/available_begin_time', beginText, 'must not be earlier than now');
  if (beginMs > now + 365 * DAY_MS) b.fail('/available_begin_time', beginText, 'must be within 365 days from now');
  if (endMs - beginMs < 1000)
    b.fail('/available_end_time', endText, 'must be at least 1 second after available_begin_time');
  if (endMs - beginMs > 90 * DAY_MS) b.fail('/available_end_time', endText, 'the window must not exceed 90 days');

  b.object('/stock_use_rule', { required: true });
  const maxCoupons = b.integer('/stock_use_rule/max_coupons', { required: true, min: 5, max: 10_000_000 });
  const maxAmount = b.integer('/stock_use_rule/max_amount', { required: true, min: 1, max: 10_000_000_000 });
  const maxAmountByDay = b.integer('/stock_use_rule/max_amount_by_day', { min: 1, max: maxAmount });
  const maxCouponsPerUser = b.integer('/stock_use_rule/max_coupons_per_user', { required: true, min: 1, max: 100 });
  if (maxCouponsPerUser > maxCoupons)
    b.fail('/stock_use_rule/max_coupons_per_user', maxCouponsPerUser, 'must not exceed max_coupons');
  const naturalPersonLimit = b.boolean('/stock_use_rule/natural_person_limit', { required: true });
  const preventApiAbuse = b.boolean('/stock_use_rule/prevent_api_abuse', { required: true });

  const stockType = b.string('/stock_type', { required: true, max: 16 });
  if (stockType !== 'NORMAL') b.fail('/stock_type', stockType, 'only NORMAL (固定面额满减券批次) can be created');
  const noCash = b.boolean('/no_cash', { required: true });
  const outRequestNo = b.string('/out_request_no', {
    required: true,
    max: 128,
    pattern: REQUEST_NO,
    patternIssue: REQUEST_NO_ISSUE,
  });
  const extInfo = b.string('/ext_info', { min: 1, max: 128 });

  b.object('/coupon_use_rule', { required: true });
  b.object('/coupon_use_rule/fixed_normal_coupon', { required: true });
  const couponAmount = b.integer('/coupon_use_rule/fixed_normal_coupon/coupon_amount', {
    required: true,
    min: 1,
    max: 100_000,
  });
  const transactionMinimum = b.integer('/coupon_use_rule/fixed_normal_coupon/transaction_minimum', {
    required: true,
    min: 1,
  });
  if (transactionMinimum <= couponAmount) {
    b.fail(
      '/coupon_use_rule/fixed_normal_coupon/transaction_minimum',
      transactionMinimum,
      'must be greater than coupon_amount',
    );
  }
  if (maxAmount !== couponAmount * maxCoupons)
    b.fail(
      '/stock_use_rule/max_amount',
      maxAmount,
      '批次预算等于批次面额乘以发券数 (max_amount must equal coupon_amount × max_coupons)',
    );
  const goodsTag = b.strings('/coupon_use_rule/goods_tag', {
    maxItems: 50,
    item: { max: 128, pattern: /^[A-Za-z0-9_]+$/ },
  });
  const limitPay = b.strings('/coupon_use_rule/limit_pay', { minItems: 1, maxItems: 1, item: { max: 64 } });
  let limitCard: Record<string, unknown> | undefined;
  if (b.object('/coupon_use_rule/limit_card')) {
    const name = b.string('/coupon_use_rule/limit_card/name', { min: 1, max: 4 });
    const bin = b.strings('/coupon_use_rule/limit_card/bin', {
      minItems: 1,
      maxItems: 10,
      item: { min: 6, max: 9, pattern: /^\d+$/ },
    });
    limitCard = { ...(name ? { name } : {}), ...(bin ? { bin } : {}) };
  }
  const tradeType = b.strings('/coupon_use_rule/trade_type', { item: { oneOf: TRADE_TYPES } });
  const combineUse = b.boolean('/coupon_use_rule/combine_use');
  const availableItems = b.strings('/coupon_use_rule/available_items', {
    minItems: 1,
    maxItems: 50,
    item: { min: 1, max: 128 },
  });
  b.strings('/coupon_use_rule/unavailable_items', { minItems: 1, maxItems: 50, item: { min: 1, max: 128 } });
  for (const other of ['discount_coupon', 'exchange_coupon'])
    if (b.has(`/coupon_use_rule/${other}`))
      b.fail(`/coupon_use_rule/${other}`, b.get(`/coupon_use_rule/${other}`), 'not allowed when stock_type is NORMAL');
  const availableMerchants = b.strings('/coupon_use_rule/available_merchants', {
    required: true,
    minItems: 1,
    maxItems: 50,
    item: { max: 20, pattern: MCHID, patternIssue: 'must be a merchant number' },
  }) as string[];
  let availableTime: StockRules['coupon_available_time'];
  if (b.object('/coupon_use_rule/coupon_available_time')) {
    const after = b.integer('/coupon_use_rule/coupon_available_time/available_time_after_receive', {
      min: 1,
      max: 90 * 1440,
    });
    const secondDay = b.boolean('/coupon_use_rule/coupon_available_time/second_day_available');
    for (const f of ['available_begin_time', 'available_end_time']) {
      const text = b.string(`/coupon_use_rule/coupon_available_time/${f}`, { max: 32 });
      if (text !== undefined) time(b, `/coupon_use_rule/coupon_available_time/${f}`, text);
    }
    const fix = '/coupon_use_rule/coupon_available_time/fix_available_time';
    if (b.object(fix)) {
      b.integers(`${fix}/available_week_day`, { maxItems: 7, item: { min: 0, max: 6 } });
      b.integer(`${fix}/begin_time`, { min: 0, max: 86_400 });
      b.integer(`${fix}/end_time`, { min: 1, max: 86_399 });
    }
    if (b.has(fix) && (after !== undefined || secondDay)) {
      b.fail(
        '/coupon_use_rule/coupon_available_time/fix_available_time',
        '[object]',
        'cannot be combined with available_time_after_receive or second_day_available',
      );
    }
    availableTime = {
      ...(after !== undefined ? { available_time_after_receive: after } : {}),
      ...(secondDay ? { second_day_available: true } : {}),
    };
  }

  let pattern: Record<string, unknown> | undefined;
  let description = '';
  if (b.object('/pattern_info')) {
    description = b.string('/pattern_info/description', { required: true, min: 1, max: 3000, text: true });
    const logo = b.string('/pattern_info/merchant_logo', { min: 1, max: 128 });
    const merchantName = b.string('/pattern_info/merchant_name', { min: 1, max: 128 });
    const color = b.string('/pattern_info/background_color', { oneOf: COLORS });
    const image = b.string('/pattern_info/coupon_image', { min: 1, max: 128 });
    const jump = b.string('/pattern_info/jump_target', { oneOf: JUMP_TARGETS });
    const miniAppid = b.string('/pattern_info/mini_program_appid', { max: 128, required: jump === 'MINI_PROGRAM' });
    const miniPath = b.string('/pattern_info/mini_program_path', { max: 256, required: jump === 'MINI_PROGRAM' });
    pattern = Object.fromEntries(
      Object.entries({
        description,
        merchant_logo: logo,
        merchant_name: merchantName,
        background_color: color,
        coupon_image: image,
        jump_target: jump,
        mini_program_appid: miniAppid,
        mini_program_path: miniPath,
      }).filter(([, v]) => v !== undefined),
    );
  }
  const rules: StockRules = {
    description,
    available_merchants: availableMerchants,
    ...(pattern ? { pattern_info: pattern } : {}),
    ...(goodsTag ? { goods_tag: goodsTag } : {}),
    ...(tradeType ? { trade_type: tradeType } : {}),
    ...(combineUse !== undefined ? { combine_use: combineUse } : {}),
    ...(availableItems ? { available_items: availableItems } : {}),
    ...(availableTime ? { coupon_available_time: availableTime } : {}),
    ...(limitPay ? { limit_pay: limitPay } : {}),
    ...(limitCard ? { limit_card: limitCard } : {}),
    ...(extInfo ? { ext_info: extInfo } : {}),
  };
  return {
    stockName,
    comment,
    belongMerchant,
    beginMs,
    endMs,
    maxCoupons,
    maxAmount,
    maxAmountByDay,
    maxCouponsPerUser,
    naturalPersonLimit,
    preventApiAbuse,
    couponAmount,
    transactionMinimum,
    noCash,
    outRequestNo,
    availableMerchants,
    singleitem: availableItems !== undefined,
    rules,
  };
}

/** `stock_creator_mchid` wherever the 代金券 APIs take it; missing, it is the table's 商户号必填. */
export const CREATOR_RULE = { required: true, requiredText: MESSAGES.mchidRequired, max: 20 } as const;
/** `appid` of the 代金券 coupon queries; missing, it is the table's appid必填. */
export const APPID_RULE = { required: true, requiredText: MESSAGES.appidRequired, max: 128 } as const;

export interface SendInput {
  openid: string;
  stockId: string;
  outRequestNo: string;
  appid: string;
  stockCreatorMchid: string;
  couponValue: number | undefined;
  couponMinimum: number | undefined;
}

export function parseSend(b: FieldReader, openid: string): SendInput {
  return {
    openid,
    stockId: b.string('/stock_id', { required: true, requiredText: MESSAGES.stockIdRequired, max: 20 }),
    outRequestNo: b.string('/out_request_no', {
      required: true,
      max: 128,
      pattern: REQUEST_NO,
      patternIssue: REQUEST_NO_ISSUE,
    }),
    appid: b.string('/appid', { required: true, requiredText: MESSAGES.appidRequired, max: 128 }),
    stockCreatorMchid: b.string('/stock_creator_mchid', CREATOR_RULE),
    couponValue: b.integer('/coupon_value', { min: 1, max: 100_000 }),
    couponMinimum: b.integer('/coupon_minimum', { min: 0 }),
  };
}

/** Path parameters are checked like fields, with location `uri_template`. */
export function checkPathParam(r: FieldReader, name: string, max: number): string {
  return r.string(`/${name}`, {
    required: true,
    max,
    pattern: /^[A-Za-z0-9_-]+$/,
    patternIssue: 'may contain only letters, digits, _ and -',
  });
}

function time(b: FieldReader, pointer: string, text: string): number {
  const ms = parseRfc3339(text);
  if (ms === undefined)
    b.fail(pointer, text, 'must be an RFC 3339 date-time with a zone, e.g. 2026-01-01T00:00:00+08:00');
  return ms;
}
