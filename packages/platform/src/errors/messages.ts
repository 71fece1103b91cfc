// Every message text the platform answers with, in each language the real service speaks
// (`Accept-Language`: zh-CN by default, zh-HK, zh-TW, en), with the source of the Chinese text beside
// it. Codes never change with the language; only these texts do. Validation rules (http/validator.ts)
// and the error codes (registry.ts) take their words from here, so a schema-driven validator can too.
//
// Seed texts are written without the typesetting spaces the documentation site puts between Chinese
// and Latin text (`appid 必填` on the page is `appid必填` on the wire, as the real service answers).

export const LANGUAGES = ['zh-CN', 'zh-HK', 'zh-TW', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One message in every language. */
export type Text = Readonly<Record<Language, string>>;

interface Entry extends Text {
  source: string;
}

const SEED_002 = '发放代金券API error table (favor shared table)';

export const MESSAGES = {
  // The 代金券 send page's error table, row by row (coupon-api.md §8.2).
  callbackUrlRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR 回调url不能为空`,
    'zh-CN': '回调url不能为空',
    'zh-HK': '回調url不能為空',
    'zh-TW': '回呼url不能為空',
    en: 'The callback URL must not be empty',
  },
  callbackMchidRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR 回调商户不能为空`,
    'zh-CN': '回调商户不能为空',
    'zh-HK': '回調商戶不能為空',
    'zh-TW': '回呼商戶不能為空',
    en: 'The callback merchant must not be empty',
  },
  couponIdRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR 券id必填`,
    'zh-CN': '券id必填',
    'zh-HK': '券id必填',
    'zh-TW': '券id必填',
    en: 'coupon_id is required',
  },
  appidRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR appid必填`,
    'zh-CN': 'appid必填',
    'zh-HK': 'appid必填',
    'zh-TW': 'appid必填',
    en: 'appid is required',
  },
  openidRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR openid必填`,
    'zh-CN': 'openid必填',
    'zh-HK': 'openid必填',
    'zh-TW': 'openid必填',
    en: 'openid is required',
  },
  pageSizeTooLarge: {
    source: `${SEED_002}: 400 PARAM_ERROR 页大小超过阈值`,
    'zh-CN': '页大小超过阈值',
    'zh-HK': '頁大小超過閾值',
    'zh-TW': '頁面大小超過閾值',
    en: 'The page size exceeds the limit',
  },
  badTimeFormat: {
    source: `${SEED_002}: 400 PARAM_ERROR 输入时间格式错误`,
    'zh-CN': '输入时间格式错误',
    'zh-HK': '輸入時間格式錯誤',
    'zh-TW': '輸入時間格式錯誤',
    en: 'The time format is wrong',
  },
  stockIdRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR 批次号必填`,
    'zh-CN': '批次号必填',
    'zh-HK': '批次號必填',
    'zh-TW': '批次號必填',
    en: 'stock_id is required',
  },
  mchidRequired: {
    source: `${SEED_002}: 400 PARAM_ERROR 商户号必填`,
    'zh-CN': '商户号必填',
    'zh-HK': '商戶號必填',
    'zh-TW': '商戶號必填',
    en: 'The merchant number is required',
  },
  illegalStockState: {
    source: `${SEED_002}: 400 PARAM_ERROR 非法的批次状态`,
    'zh-CN': '非法的批次状态',
    'zh-HK': '非法的批次狀態',
    'zh-TW': '非法的批次狀態',
    en: 'The stock is not in a state that allows this',
  },
  mchNotExists: {
    source: `${SEED_002}: 400 MCH_NOT_EXISTS 商户号不合法`,
    'zh-CN': '商户号不合法',
    'zh-HK': '商戶號不合法',
    'zh-TW': '商戶號不合法',
    en: 'The merchant number is not valid',
  },
  openidAppidMismatch: {
    source: `${SEED_002}: 400 INVALID_REQUEST openid与appID不匹配`,
    'zh-CN': 'openid与appID不匹配',
    'zh-HK': 'openid與appID不匹配',
    'zh-TW': 'openid與appID不相符',
    en: 'The openid does not belong to the appID',
  },
  stockNotActive: {
    source: `${SEED_002}: 400 INVALID_REQUEST 活动已结束或未激活`,
    'zh-CN': '活动已结束或未激活',
    'zh-HK': '活動已結束或未激活',
    'zh-TW': '活動已結束或未啟用',
    en: 'The activity has ended or is not active',
  },
  illegalMchid: {
    source: `${SEED_002}: 400 INVALID_REQUEST 非法的商户号`,
    'zh-CN': '非法的商户号',
    'zh-HK': '非法的商戶號',
    'zh-TW': '非法的商戶號',
    en: 'Illegal merchant number',
  },
  appidMchidMismatch: {
    source: `${SEED_002}: 400 APPID_MCHID_NOT_MATCH 商户号与appid不匹配`,
    'zh-CN': '商户号与appid不匹配',
    'zh-HK': '商戶號與appid不匹配',
    'zh-TW': '商戶號與appid不相符',
    en: 'The merchant number and the appid do not match',
  },
  userAbnormal: {
    source: `${SEED_002}: 403 USER_ACCOUNT_ABNORMAL 用户非法`,
    'zh-CN': '用户非法',
    'zh-HK': '用戶非法',
    'zh-TW': '使用者非法',
    en: 'The user account is abnormal',
  },
  budgetNotEnough: {
    source: `${SEED_002}: 403 NOT_ENOUGH 批次预算不足`,
    'zh-CN': '批次预算不足',
    'zh-HK': '批次預算不足',
    'zh-TW': '批次預算不足',
    en: 'The stock budget is not enough',
  },
  callerNoPermission: {
    source: `${SEED_002}: 403 REQUEST_BLOCKED 调用商户无权限`,
    'zh-CN': '调用商户无权限',
    'zh-HK': '調用商戶無權限',
    'zh-TW': '呼叫商戶無權限',
    en: 'The calling merchant has no permission',
  },
  noRightToSend: {
    source: `${SEED_002}: 403 REQUEST_BLOCKED 商户无权发券`,
    'zh-CN': '商户无权发券',
    'zh-HK': '商戶無權發券',
    'zh-TW': '商戶無權發券',
    en: 'The merchant may not send coupons of this stock',
  },
  noCrossMerchant: {
    source: `${SEED_002}: 403 REQUEST_BLOCKED 批次不支持跨商户发券`,
    'zh-CN': '批次不支持跨商户发券',
    'zh-HK': '批次不支持跨商戶發券',
    'zh-TW': '批次不支援跨商戶發券',
    en: 'The stock does not allow sending by other merchants',
  },
  userLimited: {
    source: `${SEED_002}: 403 REQUEST_BLOCKED 用户被限领拦截`,
    'zh-CN': '用户被限领拦截',
    'zh-HK': '用戶被限領攔截',
    'zh-TW': '使用者被限領攔截',
    en: 'The user has reached the receiving limit',
  },
  stockNotExists: {
    source: `${SEED_002}: 404 RESOURCE_NOT_EXISTS 批次不存在`,
    'zh-CN': '批次不存在',
    'zh-HK': '批次不存在',
    'zh-TW': '批次不存在',
    en: 'The stock does not exist',
  },
  rateLimited: {
    source: `${SEED_002}: 429 FREQUENCY_LIMIT_EXCEED 接口限频`,
    'zh-CN': '接口限频',
    'zh-HK': '接口限頻',
    'zh-TW': '介面限頻',
    en: 'Too many requests',
  },
  // 2026 official error guide for favor send (coupon-api.md §8.4).
  stockLookupFailed: {
    source: 'official error guide 2026, favor send: 400 INVALID_REQUEST 批次信息获取失败,请确认参数是否有误',
    'zh-CN': '批次信息获取失败,请确认参数是否有误',
    'zh-HK': '批次信息獲取失敗,請確認參數是否有誤',
    'zh-TW': '批次資訊取得失敗,請確認參數是否有誤',
    en: 'The stock could not be read; check the parameters',
  },
  // 代金券 texts the error table does not list; no source names them.
  couponNotExists: {
    source: 'platform: a coupon id unknown to the caller (favor F9); the favor table names no text',
    'zh-CN': '券不存在',
    'zh-HK': '券不存在',
    'zh-TW': '券不存在',
    en: 'The coupon does not exist',
  },
  callbackNotSet: {
    source: 'platform: F19 before any F18; no source names the text',
    'zh-CN': '未设置消息通知地址',
    'zh-HK': '未設置消息通知地址',
    'zh-TW': '未設定訊息通知地址',
    en: 'No notification URL is set',
  },
  couponListNeedsMerchant: {
    source: 'favor F10 request table: 创建批次的商户号、批次发放商户号、可用商户号三个参数，任意选填一个',
    'zh-CN': '创建批次的商户号、批次发放商户号、可用商户号三个参数，任意选填一个',
    'zh-HK': '創建批次的商戶號、批次發放商戶號、可用商戶號三個參數，任意選填一個',
    'zh-TW': '建立批次的商戶號、批次發放商戶號、可用商戶號三個參數，任意選填一個',
    en: 'Give one of creator_mchid, sender_mchid and available_mchid',
  },
  requestNoReused: {
    source: 'platform: a request number reused with other content (coupon-api.md §1.6 leaves the text open)',
    'zh-CN': '商户单据号重复,且请求内容与首次请求不同',
    'zh-HK': '商戶單據號重複,且請求內容與首次請求不同',
    'zh-TW': '商戶單據號重複,且請求內容與首次請求不同',
    en: 'The request number was used before with different content',
  },
  // The common error codes' descriptions (coupon-api.md §1.4 公共错误码, §3.13, §4.21).
  paramError: {
    source: '公共错误码: 400 PARAM_ERROR 参数错误',
    'zh-CN': '参数错误',
    'zh-HK': '參數錯誤',
    'zh-TW': '參數錯誤',
    en: 'Parameter error',
  },
  invalidRequest: {
    source: '公共错误码: 400 INVALID_REQUEST HTTP请求不符合微信支付APIv3接口规则',
    'zh-CN': 'HTTP请求不符合微信支付APIv3接口规则',
    'zh-HK': 'HTTP請求不符合微信支付APIv3接口規則',
    'zh-TW': 'HTTP請求不符合微信支付APIv3介面規則',
    en: 'The HTTP request does not follow the WeChat Pay APIv3 rules',
  },
  resourceExists: {
    source: 'busifavor table (§4.21): 400 RESOURCE_ALREADY_EXISTS 资源已存在',
    'zh-CN': '资源已存在',
    'zh-HK': '資源已存在',
    'zh-TW': '資源已存在',
    en: 'The resource already exists',
  },
  signError: {
    source: '公共错误码: 401 SIGN_ERROR 签名错误',
    'zh-CN': '签名错误',
    'zh-HK': '簽名錯誤',
    'zh-TW': '簽章錯誤',
    en: 'Signature error',
  },
  noAuth: {
    source: 'busifavor table (§4.21): 403 NOAUTH 商户无权限',
    'zh-CN': '商户无权限',
    'zh-HK': '商戶無權限',
    'zh-TW': '商戶無權限',
    en: 'The merchant has no permission',
  },
  ruleLimit: {
    source: 'busifavor table (§4.21): 403 RULELIMIT 不符合规则',
    'zh-CN': '不符合规则',
    'zh-HK': '不符合規則',
    'zh-TW': '不符合規則',
    en: 'The request does not meet the rules',
  },
  resourceNotExists: {
    source: 'busifavor table (§4.21): 404 RESOURCE_NOT_EXISTS 资源不存在',
    'zh-CN': '资源不存在',
    'zh-HK': '資源不存在',
    'zh-TW': '資源不存在',
    en: 'The resource does not exist',
  },
  userNotExists: {
    source: 'busifavor table (§4.21): 404 USER_NOT_EXISTS 用户不存在',
    'zh-CN': '用户不存在',
    'zh-HK': '用戶不存在',
    'zh-TW': '使用者不存在',
    en: 'The user does not exist',
  },
  systemError: {
    source: '公共错误码: 500 SYSTEM_ERROR 系统异常，请稍后重试',
    'zh-CN': '系统异常，请稍后重试',
    'zh-HK': '系統異常，請稍後重試',
    'zh-TW': '系統異常，請稍後重試',
    en: 'System error, please retry later',
  },
  contentType: {
    source: 'coupon-api.md §8.6: a JSON API refuses another Content-Type ("content-type 不正确" family)',
    'zh-CN': 'Content-Type不正确,请使用application/json',
    'zh-HK': 'Content-Type不正確,請使用application/json',
    'zh-TW': 'Content-Type不正確,請使用application/json',
    en: 'Content-Type is not correct; use application/json',
  },
  fixedValueNotAllowed: {
    source: '发放代金券API request table: coupon_value/coupon_minimum "指定面额发券场景…其他场景不需要填"',
    'zh-CN': '该批次不是指定面额发券批次,请勿填写coupon_value、coupon_minimum',
    'zh-HK': '該批次不是指定面額發券批次,請勿填寫coupon_value、coupon_minimum',
    'zh-TW': '該批次不是指定面額發券批次,請勿填寫coupon_value、coupon_minimum',
    en: 'This stock does not take a specified value; leave out coupon_value and coupon_minimum',
  },
  fixedMinimumTooLow: {
    source: 'platform: the seed example sends coupon_minimum equal to coupon_value; a lower threshold is refused',
    'zh-CN': '券门槛coupon_minimum不能小于面额coupon_value',
    'zh-HK': '券門檻coupon_minimum不能小於面額coupon_value',
    'zh-TW': '券門檻coupon_minimum不能小於面額coupon_value',
    en: 'coupon_minimum must not be lower than coupon_value',
  },
  fixedValueRequired: {
    source: '发放代金券API request table: coupon_value "指定面额发券场景, 券面额"',
    'zh-CN': '指定面额发券批次必须填写coupon_value',
    'zh-HK': '指定面額發券批次必須填寫coupon_value',
    'zh-TW': '指定面額發券批次必須填寫coupon_value',
    en: 'A specified-value stock needs coupon_value',
  },
  busifavorRateLimited: {
    source: 'busifavor table (§4.21): 429 FREQUENCY_LIMITED 频率超限',
    'zh-CN': '频率超限',
    'zh-HK': '頻率超限',
    'zh-TW': '頻率超限',
    en: 'Too many requests',
  },
} as const satisfies Record<string, Entry>;

export type MessageKey = keyof typeof MESSAGES;

/** The text of a registered message (without its source). */
export function text(key: MessageKey): Text {
  return MESSAGES[key];
}

/** A text that reads the same in every language (a value, a code), for composing messages. */
export function same(s: string): Text {
  return { 'zh-CN': s, 'zh-HK': s, 'zh-TW': s, en: s };
}

/**
 * The language of `Accept-Language`: the first listed tag the platform speaks (by quality), zh-CN when
 * none is. `zh-Hant` and `zh-MO` read as zh-HK, `zh-Hans`/`zh-SG`/`zh` as zh-CN, any `en-*` as en.
 */
export function pickLanguage(header: string | undefined): Language {
  if (!header) return 'zh-CN';
  const tags = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((t) => t.tag && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh-tw' || tag === 'zh-hant-tw') return 'zh-TW';
    if (tag === 'zh-hk' || tag === 'zh-mo' || tag.startsWith('zh-hant')) return 'zh-HK';
    if (tag === 'zh' || tag === 'zh-cn' || tag === 'zh-sg' || tag.startsWith('zh-hans')) return 'zh-CN';
  }
  return 'zh-CN';
}

// The real service's validator (coupon-api.md §1.3 real bodies, §8.3):
// 输入源“/body/stock_id”映射到字段“批次号”必填性规则校验失败,此字段为必填项
// Each rule has a name and a reason; the field is named by its input source and its label.

/** The names the request tables give fields (seed pages 发放代金券API and 向用户发放商品券), by key. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  stock_id: '批次号',
  openid: '用户openid',
  out_request_no: '商户单据号',
  appid: '公众账号ID',
  stock_creator_mchid: '创建批次的商户号',
  coupon_value: '面额',
  coupon_minimum: '券门槛',
  coupon_id: '代金券id',
  coupon_code: '券code',
  coupon_type: '券类型',
  member_card_id: '会员卡ID',
};

export type RuleName =
  | 'required'
  | 'type'
  | 'length'
  | 'format'
  | 'enum'
  | 'range'
  | 'characters'
  | 'definition'
  | 'depth'
  | 'encoding'
  | 'rule';

const RULE_NAMES: Record<RuleName, Text> = {
  required: { 'zh-CN': '必填性', 'zh-HK': '必填性', 'zh-TW': '必填性', en: 'required' },
  type: { 'zh-CN': '类型', 'zh-HK': '類型', 'zh-TW': '類型', en: 'type' },
  length: { 'zh-CN': '长度', 'zh-HK': '長度', 'zh-TW': '長度', en: 'length' },
  format: { 'zh-CN': '格式', 'zh-HK': '格式', 'zh-TW': '格式', en: 'format' },
  enum: { 'zh-CN': '枚举值', 'zh-HK': '枚舉值', 'zh-TW': '列舉值', en: 'enumeration' },
  range: { 'zh-CN': '取值范围', 'zh-HK': '取值範圍', 'zh-TW': '取值範圍', en: 'range' },
  characters: { 'zh-CN': '字符', 'zh-HK': '字符', 'zh-TW': '字元', en: 'character' },
  definition: { 'zh-CN': '字段定义', 'zh-HK': '字段定義', 'zh-TW': '欄位定義', en: 'field definition' },
  depth: { 'zh-CN': '嵌套深度', 'zh-HK': '嵌套深度', 'zh-TW': '巢狀深度', en: 'nesting depth' },
  encoding: { 'zh-CN': '编码', 'zh-HK': '編碼', 'zh-TW': '編碼', en: 'encoding' },
  rule: { 'zh-CN': '业务', 'zh-HK': '業務', 'zh-TW': '業務', en: 'business' },
};

/** Why a rule failed: the validator's reasons, one per rule and bound. */
export const WHY = {
  required: {
    'zh-CN': '此字段为必填项',
    'zh-HK': '此字段為必填項',
    'zh-TW': '此欄位為必填項',
    en: 'the field is required',
  },
  notString: { 'zh-CN': '应为字符串', 'zh-HK': '應為字符串', 'zh-TW': '應為字串', en: 'a string is expected' },
  notInteger: { 'zh-CN': '应为整数', 'zh-HK': '應為整數', 'zh-TW': '應為整數', en: 'an integer is expected' },
  notBoolean: {
    'zh-CN': '应为true或false',
    'zh-HK': '應為true或false',
    'zh-TW': '應為true或false',
    en: 'true or false is expected',
  },
  notObject: { 'zh-CN': '应为对象', 'zh-HK': '應為對象', 'zh-TW': '應為物件', en: 'an object is expected' },
  notArray: { 'zh-CN': '应为数组', 'zh-HK': '應為數組', 'zh-TW': '應為陣列', en: 'an array is expected' },
  controls: {
    'zh-CN': '不得包含控制字符或不成对的代理项',
    'zh-HK': '不得包含控制字符或不成對的代理項',
    'zh-TW': '不得包含控制字元或不成對的代理項',
    en: 'control characters and unpaired surrogates are not allowed',
  },
  supplementary: {
    'zh-CN': '不支持4字节的UTF-8字符',
    'zh-HK': '不支持4字節的UTF-8字符',
    'zh-TW': '不支援4位元組的UTF-8字元',
    en: 'characters outside the Basic Multilingual Plane (4-byte UTF-8) are not supported',
  },
  badEncoding: {
    'zh-CN': '不是合法的UTF-8百分号编码',
    'zh-HK': '不是合法的UTF-8百分號編碼',
    'zh-TW': '不是合法的UTF-8百分比編碼',
    en: 'it is not valid UTF-8 percent-encoding',
  },
  undefinedField: {
    'zh-CN': '此字段未定义',
    'zh-HK': '此字段未定義',
    'zh-TW': '此欄位未定義',
    en: 'the field is not defined',
  },
  maxLength: (n: number): Text => ({
    'zh-CN': `长度不能超过${n}`,
    'zh-HK': `長度不能超過${n}`,
    'zh-TW': `長度不能超過${n}`,
    en: `at most ${n} characters`,
  }),
  minLength: (n: number): Text => ({
    'zh-CN': `长度不能少于${n}`,
    'zh-HK': `長度不能少於${n}`,
    'zh-TW': `長度不能少於${n}`,
    en: `at least ${n} characters`,
  }),
  max: (n: number): Text => ({
    'zh-CN': `不能大于${n}`,
    'zh-HK': `不能大於${n}`,
    'zh-TW': `不能大於${n}`,
    en: `at most ${n}`,
  }),
  min: (n: number): Text => ({
    'zh-CN': `不能小于${n}`,
    'zh-HK': `不能小於${n}`,
    'zh-TW': `不能小於${n}`,
    en: `at least ${n}`,
  }),
  maxItems: (n: number): Text => ({
    'zh-CN': `元素个数不能超过${n}`,
    'zh-HK': `元素個數不能超過${n}`,
    'zh-TW': `元素個數不能超過${n}`,
    en: `at most ${n} entries`,
  }),
  minItems: (n: number): Text => ({
    'zh-CN': `元素个数不能少于${n}`,
    'zh-HK': `元素個數不能少於${n}`,
    'zh-TW': `元素個數不能少於${n}`,
    en: `at least ${n} entries`,
  }),
  oneOf: (values: readonly string[]): Text => ({
    'zh-CN': `取值须为${values.join('、')}之一`,
    'zh-HK': `取值須為${values.join('、')}之一`,
    'zh-TW': `取值須為${values.join('、')}之一`,
    en: `one of ${values.join(', ')} is expected`,
  }),
  depth: (n: number): Text => ({
    'zh-CN': `嵌套不得超过${n}层`,
    'zh-HK': `嵌套不得超過${n}層`,
    'zh-TW': `巢狀不得超過${n}層`,
    en: `at most ${n} levels of nesting`,
  }),
  // 向用户发放商品券 official page (2025-07-15): member_card_id "当coupon_type为MEMBER时必填".
  memberCardRequired: {
    'zh-CN': '当coupon_type为MEMBER时必填',
    'zh-HK': '當coupon_type為MEMBER時必填',
    'zh-TW': '當coupon_type為MEMBER時必填',
    en: 'required when coupon_type is MEMBER',
  },
  pattern: {
    'zh-CN': '包含不合法的字符',
    'zh-HK': '包含不合法的字符',
    'zh-TW': '包含不合法的字元',
    en: 'it contains characters that are not allowed',
  },
} as const;

/** The validator's message: input source, field label, rule, reason. */
export function validatorText(location: string, pointer: string, rule: RuleName, why: Text): Text {
  const source = `/${location}${pointer}`;
  const key = pointer.slice(pointer.lastIndexOf('/') + 1) || location;
  const label = FIELD_LABELS[key] ?? key;
  const r = RULE_NAMES[rule];
  return {
    'zh-CN': `输入源“${source}”映射到字段“${label}”${r['zh-CN']}规则校验失败,${why['zh-CN']}`,
    'zh-HK': `輸入源“${source}”映射到字段“${label}”${r['zh-HK']}規則校驗失敗,${why['zh-HK']}`,
    'zh-TW': `輸入源“${source}”對應到欄位“${label}”${r['zh-TW']}規則校驗失敗,${why['zh-TW']}`,
    en: `Input source "${source}" (field "${key}") failed the ${r.en} rule: ${why.en}`,
  };
}

/** Bodies that are not a JSON object at all (no source names these texts). */
export const BODY = {
  empty: {
    source: 'platform: no source names the text for an empty JSON body',
    'zh-CN': '请求体为空,应为JSON对象',
    'zh-HK': '請求體為空,應為JSON對象',
    'zh-TW': '請求主體為空,應為JSON物件',
    en: 'The request body is empty; a JSON object is expected',
  },
  notJson: {
    source: 'platform: no source names the text for a body that is not JSON',
    'zh-CN': '请求体不是合法的JSON',
    'zh-HK': '請求體不是合法的JSON',
    'zh-TW': '請求主體不是合法的JSON',
    en: 'The request body is not valid JSON',
  },
  notObject: {
    source: 'platform: no source names the text for a JSON body that is not an object',
    'zh-CN': '请求体应为JSON对象',
    'zh-HK': '請求體應為JSON對象',
    'zh-TW': '請求主體應為JSON物件',
    en: 'The request body must be a JSON object',
  },
} as const satisfies Record<string, Entry>;

// APIv2 代金券 (XML). The send page's 错误码 table (coupon-api.md §2.2, identical in both transcriptions)
// gives the 描述 of each err_code; return_msg and err_code_des carry it as printed, in the request's
// language. The rows the table does not list name their source.
const V2_SEND_TABLE = '发放代金券 (APIv2) 错误码 table';

export const V2_MESSAGES = {
  SIGN_ERROR: {
    source: `${V2_SEND_TABLE}: SIGN_ERROR 签名错误`,
    'zh-CN': '签名错误',
    'zh-HK': '簽名錯誤',
    'zh-TW': '簽章錯誤',
    en: 'Signature error',
  },
  CA_ERROR: {
    source: `${V2_SEND_TABLE}: CA_ERROR 证书有误`,
    'zh-CN': '证书有误',
    'zh-HK': '證書有誤',
    'zh-TW': '憑證有誤',
    en: 'The certificate is wrong',
  },
  CA_VERIFY_FAILED: {
    source: `${V2_SEND_TABLE}: CA_VERIFY_FAILED 证书验证失败`,
    'zh-CN': '证书验证失败',
    'zh-HK': '證書驗證失敗',
    'zh-TW': '憑證驗證失敗',
    en: 'Certificate verification failed',
  },
  REQ_PARAM_XML_ERR: {
    source: `${V2_SEND_TABLE}: REQ_PARAM_XML_ERR 输入参数xml格式有误`,
    'zh-CN': '输入参数xml格式有误',
    'zh-HK': '輸入參數xml格式有誤',
    'zh-TW': '輸入參數xml格式有誤',
    en: 'The request XML is malformed',
  },
  PARAM_ERROR: {
    source: `${V2_SEND_TABLE}: PARAM_ERROR 校验参数错误（会返回具体哪个参数错误）`,
    'zh-CN': '校验参数错误',
    'zh-HK': '校驗參數錯誤',
    'zh-TW': '校驗參數錯誤',
    en: 'Parameter check failed',
  },
  MCH_ID_EMPTY: {
    source: `${V2_SEND_TABLE}: MCH_ID_EMPTY 商户ID为空`,
    'zh-CN': '商户ID为空',
    'zh-HK': '商戶ID為空',
    'zh-TW': '商戶ID為空',
    en: 'mch_id is empty',
  },
  CODE_2_ID_ERR: {
    source: `${V2_SEND_TABLE}: CODE_2_ID_ERR 商户id有误`,
    'zh-CN': '商户id有误',
    'zh-HK': '商戶id有誤',
    'zh-TW': '商戶id有誤',
    en: 'mch_id is wrong',
  },
  COUPON_STOCK_ID_EMPTY: {
    source: `${V2_SEND_TABLE}: COUPON_STOCK_ID_EMPTY 批次ID为空`,
    'zh-CN': '批次ID为空',
    'zh-HK': '批次ID為空',
    'zh-TW': '批次ID為空',
    en: 'coupon_stock_id is empty',
  },
  OPEN_ID_EMPTY: {
    source: `${V2_SEND_TABLE}: OPEN_ID_EMPTY 用户openid为空`,
    'zh-CN': '用户openid为空',
    'zh-HK': '用戶openid為空',
    'zh-TW': '使用者openid為空',
    en: 'openid is empty',
  },
  USER_AL_GET_COUPON: {
    source: `${V2_SEND_TABLE}: USER_AL_GET_COUPON 你已领取过该代金券`,
    'zh-CN': '你已领取过该代金券',
    'zh-HK': '你已領取過該代金券',
    'zh-TW': '你已領取過該代金券',
    en: 'You have already received this coupon',
  },
  AL_STOCK_OVER: {
    source: `${V2_SEND_TABLE}: AL_STOCK_OVER 活动已结束`,
    'zh-CN': '活动已结束',
    'zh-HK': '活動已結束',
    'zh-TW': '活動已結束',
    en: 'The campaign has ended',
  },
  STOCK_IS_NOT_VALID: {
    source: `${V2_SEND_TABLE}: STOCK_IS_NOT_VALID 抱歉，该代金券已失效`,
    'zh-CN': '抱歉，该代金券已失效',
    'zh-HK': '抱歉，該代金券已失效',
    'zh-TW': '抱歉，該代金券已失效',
    en: 'Sorry, this coupon is no longer valid',
  },
  STOCK_AMOUNT_NOT_ENOUGH: {
    source:
      'coupon-api.md §2.2 [CM] (seen in production, not in the table): STOCK_AMOUNT_NOT_ENOUGH 代金券批次可用预算不足',
    'zh-CN': '代金券批次可用预算不足',
    'zh-HK': '代金券批次可用預算不足',
    'zh-TW': '代金券批次可用預算不足',
    en: 'The stock has no budget left',
  },
  FREQ_OVER_LIMIT: {
    source: `${V2_SEND_TABLE}: FREQ_OVER_LIMIT 超过发放频率限制，请稍后再试`,
    'zh-CN': '超过发放频率限制，请稍后再试',
    'zh-HK': '超過發放頻率限制，請稍後再試',
    'zh-TW': '超過發放頻率限制，請稍後再試',
    en: 'Sending too often; try again later',
  },
  USER_ACCOUNT_ABNORMAL: {
    source: 'platform: no v2 code is documented for a 小号; the v3 row 403 USER_ACCOUNT_ABNORMAL 用户非法 is reused',
    'zh-CN': '用户非法',
    'zh-HK': '用戶非法',
    'zh-TW': '使用者非法',
    en: 'The user is not allowed',
  },
  COUPON_STOCK_ID_NOT_VALID: {
    source: '查询代金券批次/信息 (APIv2) 错误码 tables: COUPON_STOCK_ID_NOT_VALID 批次id不正确',
    'zh-CN': '批次id不正确',
    'zh-HK': '批次id不正確',
    'zh-TW': '批次id不正確',
    en: 'coupon_stock_id is not correct',
  },
  COUPON_STOCK_NOT_FOUND: {
    source: '查询代金券批次 (APIv2) 错误码 table: COUPON_STOCK_NOT_FOUND 批次信息不存在',
    'zh-CN': '批次信息不存在',
    'zh-HK': '批次資訊不存在',
    'zh-TW': '批次資訊不存在',
    en: 'The stock does not exist',
  },
  COUPON_NOT_FOUND: {
    source: '查询代金券信息 (APIv2) 错误码 table: COUPON_NOT_FOUND 券没有查找成功',
    'zh-CN': '券没有查找成功',
    'zh-HK': '券沒有查找成功',
    'zh-TW': '券沒有查找成功',
    en: 'The coupon was not found',
  },
  'NETWORK ERROR': {
    source: `${V2_SEND_TABLE}: NETWORK ERROR 网络环境不佳，请重试`,
    'zh-CN': '网络环境不佳，请重试',
    'zh-HK': '網絡環境不佳，請重試',
    'zh-TW': '網路環境不佳，請重試',
    en: 'The network is poor; please retry',
  },
} as const satisfies Record<string, Entry>;

/** Why a v2 field was refused: PARAM_ERROR's 描述 asks for the field to be named. */
export const V2_WHY = {
  empty: { 'zh-CN': '不能为空', 'zh-HK': '不能為空', 'zh-TW': '不能為空', en: 'must not be empty' },
  digits: {
    'zh-CN': '应为1到20位数字',
    'zh-HK': '應為1到20位數字',
    'zh-TW': '應為1到20位數字',
    en: 'must be 1 to 20 digits',
  },
  idForm: (n: number): Text => ({
    'zh-CN': `应为1到${n}位字母、数字、_或-`,
    'zh-HK': `應為1到${n}位字母、數字、_或-`,
    'zh-TW': `應為1到${n}位字母、數字、_或-`,
    en: `must be 1 to ${n} letters, digits, _ or -`,
  }),
  tradeNo: {
    'zh-CN': '应为1到64位字母、数字或|_*-',
    'zh-HK': '應為1到64位字母、數字或|_*-',
    'zh-TW': '應為1到64位字母、數字或|_*-',
    en: 'must be 1 to 64 letters, digits or |_*-',
  },
  onlyOne: { 'zh-CN': '目前仅支持1', 'zh-HK': '目前僅支持1', 'zh-TW': '目前僅支援1', en: 'only 1 is supported' },
  reused: {
    'zh-CN': '已用于另一次发放（批次、openid或appid不同）',
    'zh-HK': '已用於另一次發放（批次、openid或appid不同）',
    'zh-TW': '已用於另一次發放（批次、openid或appid不同）',
    en: 'was used for another send (a different stock, openid or appid)',
  },
  stockMissing: { 'zh-CN': '批次不存在', 'zh-HK': '批次不存在', 'zh-TW': '批次不存在', en: 'the stock does not exist' },
  appidMchid: {
    'zh-CN': '与mch_id不匹配',
    'zh-HK': '與mch_id不匹配',
    'zh-TW': '與mch_id不匹配',
    en: 'does not belong to mch_id',
  },
} as const;

/** PARAM_ERROR's text naming the field and why: `校验参数错误：openid 不能为空`. */
export function v2ParamText(field: string, why: Text): Text {
  return v2ParamDetail(fromLanguages((l) => `${field} ${why[l]}`));
}

/** PARAM_ERROR's text followed by what was wrong (a text that names its field itself). */
export function v2ParamDetail(detail: Text): Text {
  return fromLanguages((l) => `${V2_MESSAGES.PARAM_ERROR[l]}${l === 'en' ? ': ' : '：'}${detail[l]}`);
}

/** A text built per language. */
export function fromLanguages(build: (language: Language) => string): Text {
  return Object.fromEntries(LANGUAGES.map((l) => [l, build(l)])) as unknown as Text;
}
