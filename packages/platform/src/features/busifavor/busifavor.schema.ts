import { type Static, type TLiteral, Type } from '@sinclair/typebox';
import { parseRfc3339 } from '../../clock.js';
import { WHY } from '../../errors/messages.js';
import { oneOf, request, str } from '../../http/contract-schema.js';
import { FieldReader, OPENID_RULE, REQUEST_NO, REQUEST_NO_ISSUE } from '../../http/validator.js';

// Request parsing for the 商家券 APIs (coupon-api.md §4): every rule a field has, as PARAM_ERROR
// with the field's JSON Pointer. Rules that need the stored stock (code modes) are in the services.

export const STOCK_TYPES = ['NORMAL', 'DISCOUNT', 'EXCHANGE'] as const;
export const CODE_MODES = ['WECHATPAY_MODE', 'MERCHANT_API', 'MERCHANT_UPLOAD'] as const;
export const USE_METHODS = ['OFF_LINE', 'MINI_PROGRAMS', 'PAYMENT_CODE', 'SELF_CONSUME'] as const;
export const COUPON_STATES = ['SENDED', 'USED', 'EXPIRED', 'DELETED', 'DEACTIVATED'] as const;
export const CODE_STATUSES = ['AVAILABLE', 'DISPATCHED'] as const;
const DISPLAY_MODES = ['NOT_SHOW', 'BARCODE', 'QRCODE'] as const;
const BG_COLOR = /^Color(0[1-9]0|100)$/;
const YEAR_MS = 366 * 86_400_000;
const MAX_COUNT = 1_000_000_000;
const FEN_MAX = 10_000_000;

/** A coupon code: 1–32 of 0-9 a-z A-Z, space, - _ \ / = | (coupon-api.md §4.7). */
export const COUPON_CODE = /^[0-9A-Za-z \-_\\/=|]{1,32}$/;
const CODE_RULE = {
  required: true,
  max: 32,
  pattern: COUPON_CODE,
  patternIssue: 'may contain only letters, digits, space and - _ \\ / = |',
} as const;
const ID_RULE = {
  max: 20,
  pattern: /^[0-9A-Za-z_-]+$/,
  patternIssue: 'may contain only letters, digits, _ and -',
} as const;

export function requestNo(b: FieldReader, pointer: string, max = 128): string {
  return b.string(pointer, { required: true, max, pattern: REQUEST_NO, patternIssue: REQUEST_NO_ISSUE });
}

export function time(b: FieldReader, pointer: string, required: true): number;
export function time(b: FieldReader, pointer: string, required?: boolean): number | undefined;
export function time(b: FieldReader, pointer: string, required = false): number | undefined {
  const text = b.string(pointer, { required, max: 32 });
  if (text === undefined) return undefined;
  const ms = parseRfc3339(text);
  if (ms === undefined)
    b.fail(pointer, text, 'must be an RFC 3339 date-time with a zone, e.g. 2026-01-01T00:00:00+08:00');
  return ms;
}

/** The `coupon_available_time` rules a coupon's window and usable times are computed from. */
export interface AvailableTime {
  available_begin_time: string;
  available_end_time: string;
  available_day_after_receive?: number;
  wait_days_after_receive?: number;
  available_second_after_receive?: number;
  available_week?: { week_day?: number[]; available_day_time?: { begin_time: number; end_time: number }[] };
  irregulary_avaliable_time?: { begin_time: string; end_time: string }[];
}

export interface CreateStockInput {
  outRequestNo: string;
  stockName: string;
  belongMerchant: string;
  stockType: string;
  codeMode: string;
  beginMs: number;
  endMs: number;
  maxCoupons: number;
  maxCouponsByDay: number | undefined;
  maxCouponsPerUser: number;
  naturalPersonLimit: boolean;
  preventApiAbuse: boolean;
  notifyAppid: string | undefined;
  /** The descriptive fields as B2 shows them. */
  body: Record<string, unknown>;
}

export function parseCreateStock(b: FieldReader, now: number): CreateStockInput {
  const stockName = b.string('/stock_name', { required: true, max: 21 });
  const belongMerchant = b.string('/belong_merchant', {
    required: true,
    min: 8,
    max: 15,
    pattern: /^\d+$/,
    patternIssue: 'must be digits',
  });
  const comment = b.string('/comment', { min: 1, max: 20 });
  const goodsName = b.string('/goods_name', { required: true, max: 15 });
  const stockType = b.string('/stock_type', { required: true, oneOf: STOCK_TYPES });
  const codeMode = b.string('/coupon_code_mode', { required: true, oneOf: CODE_MODES });
  const outRequestNo = requestNo(b, '/out_request_no');
  const useRule = parseUseRule(b, stockType);
  const beginMs = time(b, '/coupon_use_rule/coupon_available_time/available_begin_time', true);
  const endMs = time(b, '/coupon_use_rule/coupon_available_time/available_end_time', true);
  if (endMs <= beginMs)
    b.fail(
      '/coupon_use_rule/coupon_available_time/available_end_time',
      b.get('/coupon_use_rule/coupon_available_time/available_end_time'),
      'must be after available_begin_time',
    );
  if (endMs - beginMs > YEAR_MS)
    b.fail(
      '/coupon_use_rule/coupon_available_time/available_end_time',
      b.get('/coupon_use_rule/coupon_available_time/available_end_time'),
      '商家券有效期最长为1年',
    );
  if (endMs <= now)
    b.fail(
      '/coupon_use_rule/coupon_available_time/available_end_time',
      b.get('/coupon_use_rule/coupon_available_time/available_end_time'),
      'must be in the future',
    );
  const send = '/stock_send_rule';
  b.object(send, { required: true });
  const maxCoupons = b.integer(`${send}/max_coupons`, { required: true, min: 1, max: MAX_COUNT });
  const maxCouponsPerUser = b.integer(`${send}/max_coupons_per_user`, { required: true, min: 1, max: 100 });
  const maxCouponsByDay = b.integer(`${send}/max_coupons_by_day`, { min: 1, max: MAX_COUNT });
  if (maxCouponsByDay !== undefined && maxCouponsByDay > maxCoupons)
    b.fail(`${send}/max_coupons_by_day`, maxCouponsByDay, 'must not exceed max_coupons');
  const naturalPersonLimit = b.boolean(`${send}/natural_person_limit`) ?? false;
  const preventApiAbuse = b.boolean(`${send}/prevent_api_abuse`) ?? false;
  for (const f of ['max_amount', 'max_amount_by_day']) b.integer(`${send}/${f}`, { min: 1, max: MAX_COUNT * 100 });
  for (const f of ['transferable', 'shareable']) b.boolean(`${send}/${f}`);
  const customEntrance = parseCustomEntrance(b, true);
  const display = parseDisplay(b);
  const notifyAppid = b.string('/notify_config/notify_appid', { min: 1, max: 64 });
  const subsidy = b.boolean('/subsidy');
  const body: Record<string, unknown> = {
    stock_name: stockName,
    belong_merchant: belongMerchant,
    ...(comment !== undefined ? { comment } : {}),
    goods_name: goodsName,
    stock_type: stockType,
    coupon_use_rule: useRule,
    stock_send_rule: b.get(send),
    ...(customEntrance ? { custom_entrance: customEntrance } : {}),
    ...(display ? { display_pattern_info: display } : {}),
    coupon_code_mode: codeMode,
    ...(notifyAppid !== undefined ? { notify_config: { notify_appid: notifyAppid } } : {}),
    subsidy: subsidy ?? false,
  };
  return {
    outRequestNo,
    stockName,
    belongMerchant,
    stockType,
    codeMode,
    beginMs,
    endMs,
    maxCoupons,
    maxCouponsByDay,
    maxCouponsPerUser,
    naturalPersonLimit,
    preventApiAbuse,
    notifyAppid,
    body,
  };
}

function parseUseRule(b: FieldReader, stockType: string): Record<string, unknown> {
  const r = '/coupon_use_rule';
  b.object(r, { required: true });
  const t = `${r}/coupon_available_time`;
  b.object(t, { required: true });
  const days = b.integer(`${t}/available_day_after_receive`, { min: 1, max: 365 });
  const wait = b.integer(`${t}/wait_days_after_receive`, { min: 0, max: 30 });
  if (wait !== undefined && days === undefined)
    b.fail(`${t}/wait_days_after_receive`, wait, 'must be given together with available_day_after_receive');
  b.integer(`${t}/available_second_after_receive`, { min: 1, max: 366 * 86_400 });
  if (b.has(`${t}/available_week`)) {
    const w = `${t}/available_week`;
    b.object(w);
    const windows = b.get(`${w}/available_day_time`);
    const weekDays = b.integers(`${w}/week_day`, { maxItems: 7, item: { min: 0, max: 6 } });
    if (windows !== undefined) {
      if (!Array.isArray(windows)) b.fail(`${w}/available_day_time`, windows, 'must be an array');
      if (windows.length > 2) b.fail(`${w}/available_day_time`, windows, 'must have at most 2 entries');
      if (!weekDays) b.fail(`${w}/week_day`, undefined, 'is required when available_day_time is given');
      windows.forEach((_, i) => {
        const begin = b.integer(`${w}/available_day_time/${i}/begin_time`, { required: true, min: 0, max: 86_399 });
        const end = b.integer(`${w}/available_day_time/${i}/end_time`, { required: true, min: 1, max: 86_399 });
        if (end <= begin) b.fail(`${w}/available_day_time/${i}/end_time`, end, 'must be after begin_time');
      });
    }
  }
  const irregular = b.get(`${t}/irregulary_avaliable_time`);
  if (irregular !== undefined) {
    if (!Array.isArray(irregular)) b.fail(`${t}/irregulary_avaliable_time`, irregular, 'must be an array');
    irregular.forEach((_, i) => {
      const begin = time(b, `${t}/irregulary_avaliable_time/${i}/begin_time`, true);
      const end = time(b, `${t}/irregulary_avaliable_time/${i}/end_time`, true);
      if (end <= begin) b.fail(`${t}/irregulary_avaliable_time/${i}/end_time`, end, 'must be after begin_time');
    });
  }
  const ruleFor: Record<string, string> = {
    NORMAL: 'fixed_normal_coupon',
    DISCOUNT: 'discount_coupon',
    EXCHANGE: 'exchange_coupon',
  };
  const expected = ruleFor[stockType] as string;
  for (const name of Object.values(ruleFor)) {
    if (name !== expected && b.has(`${r}/${name}`))
      b.fail(`${r}/${name}`, b.get(`${r}/${name}`), `not allowed when stock_type is ${stockType}; give ${expected}`);
  }
  const p = `${r}/${expected}`;
  b.object(p, { required: true });
  b.integer(`${p}/transaction_minimum`, { required: true, min: 1, max: FEN_MAX });
  if (stockType === 'NORMAL') b.integer(`${p}/discount_amount`, { required: true, min: 1, max: FEN_MAX });
  if (stockType === 'DISCOUNT') b.integer(`${p}/discount_percent`, { required: true, min: 1, max: 100 });
  if (stockType === 'EXCHANGE') b.integer(`${p}/exchange_price`, { required: true, min: 0, max: FEN_MAX });
  parseUseMethod(b, true);
  return b.object(r, { required: true }) as Record<string, unknown>;
}

function parseUseMethod(b: FieldReader, required: boolean): string | undefined {
  const r = '/coupon_use_rule';
  const method = b.string(`${r}/use_method`, { required, oneOf: USE_METHODS });
  const appid = b.string(`${r}/mini_programs_appid`, { min: 1, max: 32 });
  const path = b.string(`${r}/mini_programs_path`, { min: 1, max: 128 });
  if (method === 'MINI_PROGRAMS') {
    if (appid === undefined)
      b.fail(`${r}/mini_programs_appid`, undefined, 'is required when use_method is MINI_PROGRAMS');
    if (path === undefined)
      b.fail(`${r}/mini_programs_path`, undefined, 'is required when use_method is MINI_PROGRAMS');
  }
  return method;
}

function parseCustomEntrance(b: FieldReader, create: boolean): Record<string, unknown> | undefined {
  const e = '/custom_entrance';
  const entrance = b.object(e);
  if (!entrance) return undefined;
  if (b.has(`${e}/mini_programs_info`)) {
    const m = `${e}/mini_programs_info`;
    b.string(`${m}/mini_programs_appid`, { required: true, max: 32 });
    b.string(`${m}/mini_programs_path`, { required: true, max: 128 });
    b.string(`${m}/entrance_words`, { required: true, max: 5 });
    b.string(`${m}/guiding_words`, { min: 1, max: 6 });
  }
  b.string(`${e}/appid`, { min: 1, max: 32 });
  b.string(`${e}/hall_id`, { min: 1, max: 64 });
  if (create) b.string(`${e}/store_id`, { min: 1, max: 64 });
  else if (b.has(`${e}/store_id`)) b.fail(`${e}/store_id`, b.get(`${e}/store_id`), 'store_id cannot be modified');
  b.string(`${e}/code_display_mode`, { oneOf: DISPLAY_MODES });
  return entrance;
}

function parseDisplay(b: FieldReader): Record<string, unknown> | undefined {
  const d = '/display_pattern_info';
  const display = b.object(d);
  if (!display) return undefined;
  b.string(`${d}/description`, { min: 1, max: 1000, text: true });
  b.string(`${d}/merchant_logo_url`, { min: 1, max: 128 });
  b.string(`${d}/merchant_name`, { min: 1, max: 16 });
  b.string(`${d}/background_color`, { pattern: BG_COLOR, patternIssue: 'must be one of Color010 … Color100' });
  b.string(`${d}/coupon_image_url`, { min: 1, max: 128 });
  if (b.object(`${d}/finder_info`)) {
    b.string(`${d}/finder_info/finder_id`, { min: 1, max: 128 });
    b.string(`${d}/finder_info/finder_video_id`, { min: 1, max: 128 });
    b.string(`${d}/finder_info/finder_video_cover_image_url`, { min: 1, max: 256 });
  }
  return display;
}

export interface ModifyStockInput {
  outRequestNo: string;
  /** Top-level fields to merge into the stock's body (each already validated). */
  changes: Record<string, unknown>;
  preventApiAbuse: boolean | undefined;
  naturalPersonLimit: boolean | undefined;
  stockName: string | undefined;
  subsidy: boolean | undefined;
}

export function parseModifyStock(b: FieldReader): ModifyStockInput {
  const outRequestNo = requestNo(b, '/out_request_no');
  const changes: Record<string, unknown> = {};
  const customEntrance = parseCustomEntrance(b, false);
  if (customEntrance) changes.custom_entrance = customEntrance;
  const stockName = b.string('/stock_name', { required: false, max: 21 });
  const comment = b.string('/comment', { min: 1, max: 20 });
  if (comment !== undefined) changes.comment = comment;
  const goodsName = b.string('/goods_name', { min: 1, max: 15 });
  if (goodsName !== undefined) changes.goods_name = goodsName;
  const display = parseDisplay(b);
  if (display) {
    for (const f of ['merchant_logo_url', 'merchant_name'])
      if (display[f] !== undefined) b.fail(`/display_pattern_info/${f}`, display[f], '暂不支持修改');
    changes.display_pattern_info = display;
  }
  if (b.has('/coupon_use_rule')) {
    const rule = b.object('/coupon_use_rule') as Record<string, unknown>;
    for (const k of Object.keys(rule))
      if (!['use_method', 'mini_programs_appid', 'mini_programs_path'].includes(k))
        b.fail(
          `/coupon_use_rule/${k}`,
          rule[k],
          'only use_method, mini_programs_appid and mini_programs_path can be modified',
        );
    parseUseMethod(b, false);
    changes.coupon_use_rule = rule;
  }
  let preventApiAbuse: boolean | undefined;
  let naturalPersonLimit: boolean | undefined;
  if (b.has('/stock_send_rule')) {
    const rule = b.object('/stock_send_rule') as Record<string, unknown>;
    for (const k of Object.keys(rule))
      if (!['natural_person_limit', 'prevent_api_abuse'].includes(k))
        b.fail(`/stock_send_rule/${k}`, rule[k], 'only natural_person_limit and prevent_api_abuse can be modified');
    preventApiAbuse = b.boolean('/stock_send_rule/prevent_api_abuse');
    naturalPersonLimit = b.boolean('/stock_send_rule/natural_person_limit');
  }
  const notifyAppid = b.string('/notify_config/notify_appid', { min: 1, max: 64 });
  if (notifyAppid !== undefined) changes.notify_config = { notify_appid: notifyAppid };
  const subsidy = b.boolean('/subsidy');
  return { outRequestNo, changes, preventApiAbuse, naturalPersonLimit, stockName, subsidy };
}

export interface BudgetInput {
  requestNo: string;
  field: 'max_coupons' | 'max_coupons_by_day';
  target: number;
  current: number;
}

export function parseBudget(b: FieldReader): BudgetInput {
  const requestNo_ = requestNo(b, '/modify_budget_request_no');
  const total = b.integer('/target_max_coupons', { min: 1, max: MAX_COUNT });
  const daily = b.integer('/target_max_coupons_by_day', { min: 1, max: MAX_COUNT });
  if ((total === undefined) === (daily === undefined))
    b.fail('/target_max_coupons', total, 'give exactly one of target_max_coupons and target_max_coupons_by_day');
  // Both current values are documented fields: a client may send both, and only the one it changes counts.
  const currentTotal = b.integer('/current_max_coupons', { min: 0, max: MAX_COUNT });
  const currentDaily = b.integer('/current_max_coupons_by_day', { min: 0, max: MAX_COUNT });
  if (total !== undefined) {
    if (currentTotal === undefined) b.fail('/current_max_coupons', undefined, 'is required');
    return { requestNo: requestNo_, field: 'max_coupons', target: total, current: currentTotal };
  }
  if (currentDaily === undefined) b.fail('/current_max_coupons_by_day', undefined, 'is required');
  return { requestNo: requestNo_, field: 'max_coupons_by_day', target: daily as number, current: currentDaily };
}

export interface UploadInput {
  requestNo: string;
  codes: string[];
}

/** Codes are checked one by one in the service (bad ones are reported in fail_codes, not refused). */
export function parseUpload(b: FieldReader): UploadInput {
  const codes = b.get('/coupon_code_list');
  if (!Array.isArray(codes))
    b.fail('/coupon_code_list', codes, codes === undefined ? 'is required' : 'must be an array');
  if (codes.length < 1 || codes.length > 200) b.fail('/coupon_code_list', codes, 'must have 1 to 200 entries');
  codes.forEach((c, i) => {
    if (typeof c !== 'string') b.fail(`/coupon_code_list/${i}`, c, 'must be a string');
  });
  return { requestNo: requestNo(b, '/upload_request_no'), codes: codes as string[] };
}

export interface SendInput {
  openid: string;
  appid: string;
  stockId: string;
  outRequestNo: string;
  couponCode: string | undefined;
  /** B10 only. */
  product?: { couponType: 'NORMAL' | 'MEMBER'; memberCardId: string | undefined };
}

/**
 * B9 and B10. B10's lengths are those of its official page (coupon-api.md §8.1): appid 32, stock_id,
 * openid and out_request_no 128, member_card_id 32. `member_card_id` is required for MEMBER and,
 * for NORMAL, accepted and ignored (the page's own example sends one with NORMAL).
 */
const SEND_MEMBERS = {
  openid: str({ ...OPENID_RULE, required: true }),
  appid: str({ required: true, max: 128 }),
  stock_id: str({ required: true, ...ID_RULE }),
  out_request_no: str({ required: true, max: 128, pattern: REQUEST_NO, patternIssue: REQUEST_NO_ISSUE }),
  coupon_code: str({ ...CODE_RULE, required: false }),
};
export const SEND_BODY = request(SEND_MEMBERS);
export const PRODUCT_SEND_BODY = request({
  ...SEND_MEMBERS,
  appid: str({ required: true, max: 32 }),
  stock_id: str({ required: true, ...ID_RULE, max: 128 }),
  coupon_type: oneOf(['NORMAL', 'MEMBER'], { required: true, max: 32 }),
  member_card_id: str({
    max: 32,
    pattern: /^[A-Za-z0-9_-]+$/,
    patternIssue: 'must be a 会员卡 card_id (letters, digits, _ and -)',
  }),
});

export function sendInput(body: Static<typeof SEND_BODY>): SendInput {
  return {
    openid: body.openid,
    appid: body.appid,
    stockId: body.stock_id,
    outRequestNo: body.out_request_no,
    couponCode: body.coupon_code,
  };
}

export function productSendInput(body: Static<typeof PRODUCT_SEND_BODY>): SendInput {
  const couponType = body.coupon_type;
  if (couponType === 'MEMBER' && body.member_card_id === undefined)
    new FieldReader(body, 'body').fail('/member_card_id', undefined, WHY.memberCardRequired, 'required');
  return {
    ...sendInput(body),
    product: { couponType, memberCardId: couponType === 'MEMBER' ? body.member_card_id : undefined },
  };
}

export interface UseInput {
  couponCode: string;
  stockId: string | undefined;
  appid: string;
  useTime: number;
  useRequestNo: string;
  openid: string | undefined;
  order: Record<string, string>;
}

export function parseUse(b: FieldReader): UseInput {
  const order: Record<string, string> = {};
  for (const f of ['out_trade_no', 'mch_id', 'transaction_id']) {
    const v = b.string(`/${f}`, { min: 1, max: 64 });
    if (v !== undefined) order[f] = v;
  }
  return {
    couponCode: b.string('/coupon_code', CODE_RULE),
    stockId: b.string('/stock_id', ID_RULE),
    appid: b.string('/appid', { required: true, max: 32 }),
    useTime: time(b, '/use_time', true),
    useRequestNo: requestNo(b, '/use_request_no', 32),
    openid: b.string('/openid', OPENID_RULE),
    order,
  };
}

export interface CouponRef {
  couponCode: string;
  stockId: string;
}

function couponRef(b: FieldReader): CouponRef {
  return {
    couponCode: b.string('/coupon_code', CODE_RULE),
    stockId: b.string('/stock_id', { required: true, ...ID_RULE }),
  };
}

export function parseAssociate(b: FieldReader): CouponRef & { outTradeNo: string; requestNo: string } {
  return {
    ...couponRef(b),
    outTradeNo: b.string('/out_trade_no', { required: true, max: 128 }),
    requestNo: requestNo(b, '/out_request_no'),
  };
}

export function parseReturn(b: FieldReader): CouponRef & { requestNo: string } {
  return { ...couponRef(b), requestNo: requestNo(b, '/return_request_no') };
}

export function parseDeactivate(b: FieldReader): CouponRef & { requestNo: string; reason: string | undefined } {
  return {
    ...couponRef(b),
    requestNo: requestNo(b, '/deactivate_request_no'),
    reason: b.string('/deactivate_reason', { min: 1, max: 64 }),
  };
}

export function checkPath(r: FieldReader, name: string, max: number, pattern = /^[A-Za-z0-9_-]+$/): string {
  return r.string(`/${name}`, {
    required: true,
    max,
    pattern,
    patternIssue: 'contains characters that are not allowed',
  });
}

// Answers (coupon-api.md §4): what the platform sends, as the API document publishes it. A stock and
// its coupons echo the members the stock was created with, so those are declared here once.

const literals = <const V extends readonly string[]>(values: V) =>
  Type.Union(values.map((v) => Type.Literal(v)) as TLiteral<V[number]>[]);
const Time = Type.String({ format: 'date-time' });
const Opt = Type.Optional;

const AVAILABLE_TIME = Type.Object({
  available_begin_time: Time,
  available_end_time: Time,
  available_day_after_receive: Opt(Type.Integer()),
  available_week: Opt(
    Type.Object({
      week_day: Opt(Type.Array(Type.Integer())),
      available_day_time: Opt(Type.Array(Type.Object({ begin_time: Type.Integer(), end_time: Type.Integer() }))),
    }),
  ),
  irregulary_avaliable_time: Opt(Type.Array(Type.Object({ begin_time: Time, end_time: Time }))),
  wait_days_after_receive: Opt(Type.Integer()),
  available_second_after_receive: Opt(Type.Integer()),
});
const USE_RULE = Type.Object({
  coupon_available_time: AVAILABLE_TIME,
  fixed_normal_coupon: Opt(Type.Object({ discount_amount: Type.Integer(), transaction_minimum: Type.Integer() })),
  discount_coupon: Opt(Type.Object({ discount_percent: Type.Integer(), transaction_minimum: Type.Integer() })),
  exchange_coupon: Opt(Type.Object({ exchange_price: Type.Integer(), transaction_minimum: Type.Integer() })),
  use_method: literals(USE_METHODS),
  mini_programs_appid: Opt(Type.String()),
  mini_programs_path: Opt(Type.String()),
});
const SEND_RULE = Type.Object({
  max_coupons: Opt(Type.Integer()),
  max_coupons_per_user: Type.Integer(),
  max_coupons_by_day: Opt(Type.Integer()),
  max_amount: Opt(Type.Integer()),
  max_amount_by_day: Opt(Type.Integer()),
  natural_person_limit: Opt(Type.Boolean()),
  prevent_api_abuse: Opt(Type.Boolean()),
  transferable: Opt(Type.Boolean()),
  shareable: Opt(Type.Boolean()),
});
const CUSTOM_ENTRANCE = Type.Object({
  mini_programs_info: Opt(
    Type.Object({
      mini_programs_appid: Type.String(),
      mini_programs_path: Type.String(),
      entrance_words: Type.String(),
      guiding_words: Opt(Type.String()),
    }),
  ),
  appid: Opt(Type.String()),
  hall_id: Opt(Type.String()),
  store_id: Opt(Type.String()),
  code_display_mode: Opt(literals(DISPLAY_MODES)),
});
const DISPLAY_PATTERN = Type.Object({
  description: Opt(Type.String()),
  merchant_logo_url: Opt(Type.String()),
  merchant_name: Opt(Type.String()),
  background_color: Opt(Type.String()),
  coupon_image_url: Opt(Type.String()),
  finder_info: Opt(
    Type.Object({
      finder_id: Type.String(),
      finder_video_id: Type.String(),
      finder_video_cover_image_url: Type.String(),
    }),
  ),
});

export const STOCK_CREATED = Type.Object({ stock_id: Type.String(), create_time: Time });

export const STOCK = Type.Object({
  stock_name: Type.String(),
  belong_merchant: Type.String(),
  comment: Opt(Type.String()),
  goods_name: Type.String(),
  stock_type: literals(STOCK_TYPES),
  coupon_use_rule: USE_RULE,
  stock_send_rule: SEND_RULE,
  custom_entrance: Opt(CUSTOM_ENTRANCE),
  display_pattern_info: Opt(DISPLAY_PATTERN),
  coupon_code_mode: literals(CODE_MODES),
  notify_config: Opt(Type.Object({ notify_appid: Opt(Type.String()) })),
  subsidy: Opt(Type.Boolean()),
  stock_id: Type.String(),
  stock_state: literals(['UNAUDIT', 'RUNNING', 'STOPED', 'PAUSED']),
  coupon_code_count: Opt(Type.Object({ total_count: Type.Integer(), available_count: Type.Integer() })),
  send_count_information: Opt(
    Type.Object({
      total_send_num: Opt(Type.Integer()),
      total_send_amount: Opt(Type.Integer()),
      today_send_num: Opt(Type.Integer()),
      today_send_amount: Opt(Type.Integer()),
    }),
  ),
});

export const BUDGET = Type.Object({ max_coupons: Type.Integer(), max_coupons_by_day: Opt(Type.Integer()) });

export const UPLOADED = Type.Object({
  stock_id: Type.String(),
  total_count: Type.Integer(),
  success_count: Type.Integer(),
  success_codes: Opt(Type.Array(Type.String())),
  success_time: Time,
  fail_count: Opt(Type.Integer()),
  fail_codes: Opt(Type.Array(Type.Object({ coupon_code: Type.String(), code: Type.String(), message: Type.String() }))),
  exist_codes: Opt(Type.Array(Type.String())),
  duplicate_codes: Opt(Type.Array(Type.String())),
});

const CODE = Type.Object({
  code: Type.String(),
  code_status: literals(CODE_STATUSES),
  upload_time: Time,
  dispatched_time: Opt(Time),
  openid: Opt(Type.String()),
  unionid: Opt(Type.String()),
  coupon_code: Opt(Type.String()),
});

export const CODE_PAGE = Type.Object({
  stock_id: Type.String(),
  total_count: Type.Integer(),
  data: Type.Array(CODE),
  offset: Type.Integer(),
  limit: Type.Integer(),
});

export const COUPON = Type.Object({
  belong_merchant: Type.String(),
  stock_name: Type.String(),
  comment: Opt(Type.String()),
  goods_name: Type.String(),
  stock_type: literals(STOCK_TYPES),
  transferable: Opt(Type.Boolean()),
  shareable: Opt(Type.Boolean()),
  coupon_state: Opt(
    literals([...COUPON_STATES, 'PENDING_REDEEM', 'REDEEM_CONFIRMING', 'REDEEM_FAILED', 'REDEEM_EXPIRED']),
  ),
  display_pattern_info: Opt(DISPLAY_PATTERN),
  coupon_use_rule: USE_RULE,
  custom_entrance: Opt(CUSTOM_ENTRANCE),
  coupon_code: Opt(Type.String()),
  stock_id: Opt(Type.String()),
  available_start_time: Time,
  expire_time: Time,
  receive_time: Time,
  send_request_no: Opt(Type.String()),
  use_request_no: Opt(Type.String()),
  use_time: Opt(Time),
  associate_out_trade_no: Opt(Type.String()),
  return_request_no: Opt(Type.String()),
  return_time: Opt(Time),
  deactivate_request_no: Opt(Type.String()),
  deactivate_time: Opt(Time),
  deactivate_reason: Opt(Type.String()),
});

export const CODE_DETAIL = Type.Object({ code_information: CODE, coupon_information: Opt(COUPON) });
export const CODE_DELETED = Type.Object({ stock_id: Type.String(), delete_time: Time });

const SEND_RESULT = Type.Object({ stock_id: Type.String(), coupon_code: Type.String(), out_request_no: Type.String() });
/** 商家券 send answers wrapped, as WeChat Pay's generated SDKs decode it. */
export const SENT = Type.Object({ send_coupon_result: SEND_RESULT });
export const PRODUCT_SENT = SEND_RESULT;
export const USED = Type.Object({ stock_id: Type.String(), openid: Type.String(), wechatpay_use_time: Time });
export const COUPON_PAGE = Type.Object({
  data: Type.Array(COUPON),
  total_count: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
});
export const ASSOCIATED = Type.Object({ wechatpay_associate_time: Time });
export const DISASSOCIATED = Type.Object({ wechatpay_disassociate_time: Time });
export const RETURNED = Type.Object({ wechatpay_return_time: Time });
export const DEACTIVATED = Type.Object({ wechatpay_deactivate_time: Time });
export const CALLBACK_SET = Type.Object({ update_time: Opt(Time), notify_url: Type.String(), mchid: Type.String() });
export const CALLBACK = Type.Object({ notify_url: Type.String(), mchid: Type.String() });
