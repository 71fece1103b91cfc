import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { parseRfc3339 } from '../../clock.js';
import { MESSAGES, WHY } from '../../errors/messages.js';
import { bool, ignored, int, ints, obj, oneOf, refused, request, str, strs } from '../../http/contract-schema.js';
import { FieldReader, MCHID, REQUEST_NO, REQUEST_NO_ISSUE } from '../../http/validator.js';

// The 代金券 APIs' schemas, with the limits of coupon-api.md §3.3–§3.11: requests (checked before a
// handler runs) and answers (published in the API document). The rules that need several members or
// the clock follow as code; the service applies those that need the database.

export const STOCK_STATUSES = ['unactivated', 'audit', 'running', 'stoped', 'paused'] as const;
export const COUPON_STATUSES = ['SENDED', 'USED', 'EXPIRED'] as const;
const TRADE_TYPES = ['MICROAPP', 'APPPAY', 'PPAY', 'CARD', 'FACE', 'OTHER'] as const;
const COLORS = ['010', '020', '030', '040', '050', '060', '070', '080', '081', '082', '090', '100', '101', '102'].map(
  (n) => `COLOR${n}` as const,
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

const NO_SEPARATORS = {
  name: 'stock-name',
  problem: (v: string) => (/[_,;|]/.test(v) ? 'must not contain _ , ; or |' : undefined),
};
const NORMAL_ONLY = {
  name: 'normal-stock',
  problem: (v: string) => (v === 'NORMAL' ? undefined : 'only NORMAL (固定面额满减券批次) can be created'),
};
const MCH = { max: 20, pattern: MCHID, patternIssue: 'must be a merchant number' } as const;
const NOT_NORMAL = 'not allowed when stock_type is NORMAL';

/** F1's body, member by member in the order the API's table lists (and FieldReader read) them. */
export const CREATE_STOCK_BODY = request({
  stock_name: str({ required: true, min: 1, max: 20, must: NO_SEPARATORS }),
  comment: str({ min: 1, max: 60 }),
  belong_merchant: str({ required: true, ...MCH }),
  available_begin_time: str({ required: true, max: 32, time: true }),
  available_end_time: str({ required: true, max: 32, time: true }),
  stock_use_rule: obj(
    {
      max_coupons: int({ required: true, min: 5, max: 10_000_000 }),
      max_amount: int({ required: true, min: 1, max: 10_000_000_000 }),
      max_amount_by_day: int({ min: 1, max: 10_000_000_000 }),
      max_coupons_per_user: int({ required: true, min: 1, max: 100 }),
      natural_person_limit: bool({ required: true }),
      prevent_api_abuse: bool({ required: true }),
    },
    { required: true },
  ),
  stock_type: str({ required: true, max: 16, must: NORMAL_ONLY }),
  no_cash: bool({ required: true }),
  out_request_no: str({ required: true, max: 128, pattern: REQUEST_NO, patternIssue: REQUEST_NO_ISSUE }),
  ext_info: str({ min: 1, max: 128 }),
  coupon_use_rule: obj(
    {
      fixed_normal_coupon: obj(
        {
          coupon_amount: int({ required: true, min: 1, max: 100_000 }),
          transaction_minimum: int({ required: true, min: 1 }),
        },
        { required: true },
      ),
      goods_tag: strs({ maxItems: 50 }, { max: 128, pattern: /^[A-Za-z0-9_]+$/ }),
      limit_pay: strs({ minItems: 1, maxItems: 1 }, { max: 64 }),
      limit_card: obj(
        {
          name: str({ min: 1, max: 4 }),
          bin: strs({ minItems: 1, maxItems: 10 }, { min: 6, max: 9, pattern: /^\d+$/ }),
        },
        {},
      ),
      trade_type: strs({}, { oneOf: TRADE_TYPES }),
      combine_use: bool({}),
      available_items: strs({ minItems: 1, maxItems: 50 }, { min: 1, max: 128 }),
      unavailable_items: strs({ minItems: 1, maxItems: 50 }, { min: 1, max: 128 }),
      discount_coupon: refused(NOT_NORMAL),
      exchange_coupon: refused(NOT_NORMAL),
      available_merchants: strs({ required: true, minItems: 1, maxItems: 50 }, MCH),
      coupon_available_time: obj(
        {
          available_time_after_receive: int({ min: 1, max: 90 * 1440 }),
          second_day_available: bool({}),
          available_begin_time: str({ max: 32, time: true }),
          available_end_time: str({ max: 32, time: true }),
          fix_available_time: obj(
            {
              available_week_day: ints({ maxItems: 7 }, { min: 0, max: 6 }),
              begin_time: int({ min: 0, max: 86_400 }),
              end_time: int({ min: 1, max: 86_399 }),
            },
            {},
          ),
        },
        {},
      ),
    },
    { required: true },
  ),
  pattern_info: obj(
    {
      description: str({ required: true, min: 1, max: 3000, text: true }),
      merchant_logo: str({ min: 1, max: 128 }),
      merchant_name: str({ min: 1, max: 128 }),
      background_color: oneOf(COLORS, {}),
      coupon_image: str({ min: 1, max: 128 }),
      jump_target: oneOf(JUMP_TARGETS, {}),
      mini_program_appid: str({ max: 128 }),
      mini_program_path: str({ max: 256 }),
    },
    {},
  ),
});
export type CreateStockBody = Static<typeof CREATE_STOCK_BODY>;

/** F1's rules across members and against the clock, after the body matched its schema. */
export function createStockInput(body: CreateStockBody, now: number): CreateStockInput {
  const b = new FieldReader(body, 'body');
  const beginMs = parseRfc3339(body.available_begin_time) as number;
  const endMs = parseRfc3339(body.available_end_time) as number;
  const beginText = body.available_begin_time;
  const endText = body.available_end_time;
  // A minute of grace: a client's "now" is already in the past when it arrives.
  if (beginMs < now - 60_000) b.fail('/available_begin_time', beginText, 'must not be earlier than now');
  if (beginMs > now + 365 * DAY_MS) b.fail('/available_begin_time', beginText, 'must be within 365 days from now');
  if (endMs - beginMs < 1000)
    b.fail('/available_end_time', endText, 'must be at least 1 second after available_begin_time');
  if (endMs - beginMs > 90 * DAY_MS) b.fail('/available_end_time', endText, 'the window must not exceed 90 days');

  const use = body.stock_use_rule;
  if (use.max_amount_by_day !== undefined && use.max_amount_by_day > use.max_amount)
    b.fail('/stock_use_rule/max_amount_by_day', use.max_amount_by_day, WHY.max(use.max_amount), 'range');
  if (use.max_coupons_per_user > use.max_coupons)
    b.fail('/stock_use_rule/max_coupons_per_user', use.max_coupons_per_user, 'must not exceed max_coupons');

  const rule = body.coupon_use_rule;
  const { coupon_amount: couponAmount, transaction_minimum: transactionMinimum } = rule.fixed_normal_coupon;
  if (transactionMinimum <= couponAmount) {
    b.fail(
      '/coupon_use_rule/fixed_normal_coupon/transaction_minimum',
      transactionMinimum,
      'must be greater than coupon_amount',
    );
  }
  if (use.max_amount !== couponAmount * use.max_coupons)
    b.fail(
      '/stock_use_rule/max_amount',
      use.max_amount,
      '批次预算等于批次面额乘以发券数 (max_amount must equal coupon_amount × max_coupons)',
    );
  let availableTime: StockRules['coupon_available_time'];
  const time = rule.coupon_available_time;
  if (time) {
    const after = time.available_time_after_receive;
    if (time.fix_available_time && (after !== undefined || time.second_day_available)) {
      b.fail(
        '/coupon_use_rule/coupon_available_time/fix_available_time',
        '[object]',
        'cannot be combined with available_time_after_receive or second_day_available',
      );
    }
    availableTime = {
      ...(after !== undefined ? { available_time_after_receive: after } : {}),
      ...(time.second_day_available ? { second_day_available: true } : {}),
    };
  }
  const pattern = body.pattern_info;
  if (pattern?.jump_target === 'MINI_PROGRAM') {
    for (const f of ['mini_program_appid', 'mini_program_path'] as const)
      if (!pattern[f]) b.fail(`/pattern_info/${f}`, pattern[f], WHY.required, 'required');
  }
  let limitCard: Record<string, unknown> | undefined;
  if (rule.limit_card) {
    const { name, bin } = rule.limit_card;
    limitCard = { ...(name ? { name } : {}), ...(bin ? { bin } : {}) };
  }
  const rules: StockRules = {
    description: pattern?.description ?? '',
    available_merchants: rule.available_merchants,
    ...(pattern ? { pattern_info: patternInfo(pattern) } : {}),
    ...(rule.goods_tag ? { goods_tag: rule.goods_tag } : {}),
    ...(rule.trade_type ? { trade_type: rule.trade_type } : {}),
    ...(rule.combine_use !== undefined ? { combine_use: rule.combine_use } : {}),
    ...(rule.available_items ? { available_items: rule.available_items } : {}),
    ...(availableTime ? { coupon_available_time: availableTime } : {}),
    ...(rule.limit_pay ? { limit_pay: rule.limit_pay } : {}),
    ...(limitCard ? { limit_card: limitCard } : {}),
    ...(body.ext_info ? { ext_info: body.ext_info } : {}),
  };
  return {
    stockName: body.stock_name,
    comment: body.comment,
    belongMerchant: body.belong_merchant,
    beginMs,
    endMs,
    maxCoupons: use.max_coupons,
    maxAmount: use.max_amount,
    maxAmountByDay: use.max_amount_by_day,
    maxCouponsPerUser: use.max_coupons_per_user,
    naturalPersonLimit: use.natural_person_limit,
    preventApiAbuse: use.prevent_api_abuse,
    couponAmount,
    transactionMinimum,
    noCash: body.no_cash,
    outRequestNo: body.out_request_no,
    availableMerchants: rule.available_merchants,
    singleitem: rule.available_items !== undefined,
    rules,
  };
}

// Kept in the table's order whatever order the request used, as the stock echoes it.
function patternInfo(p: NonNullable<CreateStockBody['pattern_info']>): Record<string, unknown> {
  const keys = CREATE_STOCK_BODY.properties.pattern_info.properties;
  return Object.fromEntries(
    Object.keys(keys)
      .map((k) => [k, p[k as keyof typeof p]] as const)
      .filter(([, v]) => v !== undefined),
  );
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

const PATH_ID = {
  required: true,
  pattern: /^[A-Za-z0-9_-]+$/,
  patternIssue: 'may contain only letters, digits, _ and -',
} as const;
/** Path parameters are checked like fields, with location `uri_template`. */
export const STOCK_PATH = request({ stock_id: str({ ...PATH_ID, max: 20 }) }, 'uri_template');
export const USER_PATH = request({ openid: str({ ...PATH_ID, max: 128 }) }, 'uri_template');
export const COUPON_PATH = request(
  { openid: str({ ...PATH_ID, max: 128 }), coupon_id: str({ ...PATH_ID, max: 20 }) },
  'uri_template',
);

/** F2–F5's body. */
export const CREATOR_BODY = request({ stock_creator_mchid: str({ ...CREATOR_RULE, pattern: MCHID }) });

/** F6's query; the times are read as the table's 输入时间格式错误 when they do not parse. */
export const STOCK_LIST_QUERY = request(
  {
    create_start_time: str({ max: 64, time: MESSAGES.badTimeFormat }),
    create_end_time: str({ max: 64, time: MESSAGES.badTimeFormat }),
    status: oneOf(STOCK_STATUSES, {}),
    offset: int({ required: true, min: 0 }),
    limit: int({ required: true, min: 1, max: 10, maxText: MESSAGES.pageSizeTooLarge }),
    stock_creator_mchid: str(CREATOR_RULE),
  },
  'query',
);
export const STOCK_QUERY = request({ stock_creator_mchid: str(CREATOR_RULE) }, 'query');

/** F11/F12's query: each list has its own bounds. */
export function pagingQuery(maxOffset: number, maxLimit: number) {
  return request(
    {
      offset: int({ required: true, min: 0, max: maxOffset }),
      limit: int({ required: true, min: 1, max: maxLimit, maxText: MESSAGES.pageSizeTooLarge }),
      stock_creator_mchid: str(CREATOR_RULE),
    },
    'query',
  );
}

/** F8's body. */
export const SEND_BODY = request({
  stock_id: str({ required: true, requiredText: MESSAGES.stockIdRequired, max: 20 }),
  out_request_no: str({ required: true, max: 128, pattern: REQUEST_NO, patternIssue: REQUEST_NO_ISSUE }),
  appid: str({ required: true, requiredText: MESSAGES.appidRequired, max: 128 }),
  stock_creator_mchid: str(CREATOR_RULE),
  coupon_value: int({ min: 1, max: 100_000 }),
  coupon_minimum: int({ min: 0 }),
});

export function sendInput(openid: string, body: Static<typeof SEND_BODY>): SendInput {
  return {
    openid,
    stockId: body.stock_id,
    outRequestNo: body.out_request_no,
    appid: body.appid,
    stockCreatorMchid: body.stock_creator_mchid,
    couponValue: body.coupon_value,
    couponMinimum: body.coupon_minimum,
  };
}

export const COUPON_QUERY = request({ appid: str(APPID_RULE) }, 'query');

/** F10's query; `business_type` is accepted and not used (the platform has no 多次使用 coupons). */
export const USER_COUPONS_QUERY = request(
  {
    stock_id: str({ max: 20 }),
    status: oneOf(COUPON_STATUSES, {}),
    creator_mchid: str({ max: 20 }),
    sender_mchid: str({ max: 20 }),
    available_mchid: str({ max: 20 }),
    appid: str(APPID_RULE),
    offset: int({ min: 0 }),
    limit: int({ min: 1, max: 100, maxText: MESSAGES.pageSizeTooLarge }),
    business_type: ignored(),
  },
  'query',
);

/**
 * Notification URLs must be https without a query (coupon-api.md §1.5). http:// is accepted on
 * loopback hosts only, so a developer's local receiver works.
 */
function notifyUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'must be an absolute https URL';
  const url = new URL(text);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return 'must use https (http is accepted on loopback only)';
  if (url.search) return 'must not carry query parameters';
  return undefined;
}

/** F18's body. */
export const CALLBACKS_BODY = request({
  notify_url: str({
    required: true,
    requiredText: MESSAGES.callbackUrlRequired,
    max: 256,
    must: { name: 'favor-notify-url', problem: notifyUrlProblem },
  }),
  mchid: str({ required: true, requiredText: MESSAGES.callbackMchidRequired, max: 20 }),
  switch: bool({}),
});
export const CALLBACKS_QUERY = request(
  { mchid: str({ required: true, requiredText: MESSAGES.callbackMchidRequired, max: 20 }) },
  'query',
);

// Answers (coupon-api.md §3): what the platform sends, as the API document publishes it.

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Amounts = Type.Object({ coupon_amount: Type.Integer(), transaction_minimum: Type.Integer() });
const CutTo = Type.Object({ single_price_max: Type.Integer(), cut_to_price: Type.Integer() });
const StockType = Type.Union(['NORMAL', 'DISCOUNT_CUT', 'OTHER'].map((v) => Type.Literal(v)));
const CouponType = Type.Union([Type.Literal('NORMAL'), Type.Literal('CUT_TO')]);
const MultiUse = Type.Literal('MULTIUSE');

export const STOCK_CREATED = Type.Object({ stock_id: Type.String(), create_time: Time });
export const STOCK_STATE_CHANGED = {
  start: Type.Object({ start_time: Time, stock_id: Type.String() }),
  pause: Type.Object({ pause_time: Time, stock_id: Type.String() }),
  restart: Type.Object({ restart_time: Time, stock_id: Type.String() }),
  stop: Type.Object({ stop_time: Time, stock_id: Type.String() }),
} as const;

export const STOCK = Type.Object({
  stock_id: Type.String(),
  stock_creator_mchid: Type.String(),
  stock_name: Type.String(),
  status: Type.Union(STOCK_STATUSES.map((v) => Type.Literal(v))),
  create_time: Time,
  description: Type.String(),
  stock_use_rule: Type.Optional(
    nullable(
      Type.Object({
        max_coupons: Type.Optional(Type.Integer()),
        max_amount: Type.Optional(Type.Integer()),
        max_amount_by_day: Type.Optional(Type.Integer()),
        fixed_normal_coupon: Type.Optional(nullable(Amounts)),
        max_coupons_per_user: Type.Optional(Type.Integer()),
        coupon_type: Type.Optional(CouponType),
        goods_tag: Type.Optional(nullable(Type.Array(Type.String()))),
        trade_type: Type.Optional(nullable(Type.Array(Type.Union(TRADE_TYPES.map((v) => Type.Literal(v)))))),
        combine_use: Type.Optional(Type.Boolean()),
      }),
    ),
  ),
  available_begin_time: Time,
  available_end_time: Time,
  distributed_coupons: Type.Integer(),
  no_cash: nullable(Type.Boolean()),
  start_time: Type.Optional(Time),
  stop_time: Type.Optional(Time),
  cut_to_message: Type.Optional(nullable(CutTo)),
  singleitem: nullable(Type.Boolean()),
  stock_type: StockType,
  card_id: Type.Optional(Type.String()),
  business_type: Type.Optional(MultiUse),
});

export const STOCK_PAGE = Type.Object({
  total_count: Type.Integer(),
  data: Type.Optional(Type.Array(STOCK)),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const SENT = Type.Object({ coupon_id: Type.String() });

export const COUPON = Type.Object({
  stock_creator_mchid: Type.String(),
  stock_id: Type.String(),
  coupon_id: Type.String(),
  cut_to_message: Type.Optional(nullable(CutTo)),
  coupon_name: Type.String(),
  status: Type.Union(['SENDED', 'USED', 'EXPIRED', 'RECOVER'].map((v) => Type.Literal(v))),
  description: Type.String(),
  create_time: Time,
  coupon_type: CouponType,
  no_cash: nullable(Type.Boolean()),
  available_begin_time: Time,
  available_end_time: Time,
  singleitem: nullable(Type.Boolean()),
  normal_coupon_information: Type.Optional(nullable(Amounts)),
  consume_information: Type.Optional(
    nullable(
      Type.Object({
        consume_time: Time,
        consume_mchid: Type.String(),
        transaction_id: Type.String(),
        consume_amount: Type.Optional(Type.Integer()),
        goods_detail: Type.Optional(
          Type.Array(
            Type.Object({
              goods_id: Type.String(),
              quantity: Type.Integer(),
              price: Type.Integer(),
              discount_amount: Type.Integer(),
            }),
          ),
        ),
      }),
    ),
  ),
  available_balance: Type.Optional(Type.Integer()),
  business_type: Type.Optional(MultiUse),
});

export const COUPON_PAGE = Type.Object({
  data: Type.Optional(Type.Array(COUPON)),
  total_count: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const STRING_PAGE = Type.Object({
  total_count: Type.Integer(),
  data: Type.Optional(Type.Array(Type.String())),
  offset: Type.Integer(),
  limit: Type.Integer(),
  stock_id: Type.String(),
});

export const FLOW = Type.Object({ url: Type.String(), hash_value: Type.String(), hash_type: Type.Literal('SHA1') });
export const CALLBACK_SET = Type.Object({ update_time: Time, notify_url: Type.String() });
export const CALLBACK = Type.Object({ mchid: Type.String(), notify_url: Type.String() });
