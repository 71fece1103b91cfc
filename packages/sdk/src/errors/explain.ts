import type { ApiErrorDetail } from './api-error-detail.js';

// A plain English explanation of an APIv3 error, derived on the client from its code, message and
// detail: the service words its messages in Chinese by default (Accept-Language), and its validator
// names fields by their Chinese labels. The explanation names the field by its key instead.

const VALIDATOR = /^输入源“\/(body|query|uri_template|header)(\/[^”]*)?”映射到字段“[^”]*”(.+?)规则校验失败,(.*)$/su;

const WHERE: Record<string, string> = {
  body: 'body field',
  query: 'query parameter',
  uri_template: 'path parameter',
  header: 'header',
};

/** Each rule's reasons, in the validator's words, with their English. */
const REASONS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^此字段为必填项$/, () => 'is required'],
  [/^长度不能超过(\d+)$/, (m) => `is too long (at most ${m[1]} characters)`],
  [/^长度不能少于(\d+)$/, (m) => `is too short (at least ${m[1]} characters)`],
  [/^元素个数不能超过(\d+)$/, (m) => `has too many entries (at most ${m[1]})`],
  [/^元素个数不能少于(\d+)$/, (m) => `has too few entries (at least ${m[1]})`],
  [/^不能大于(-?\d+)$/, (m) => `is too large (at most ${m[1]})`],
  [/^不能小于(-?\d+)$/, (m) => `is too small (at least ${m[1]})`],
  [/^应为字符串$/, () => 'must be a string'],
  [/^应为整数$/, () => 'must be an integer'],
  [/^应为true或false$/, () => 'must be true or false'],
  [/^应为对象$/, () => 'must be an object'],
  [/^应为数组$/, () => 'must be an array'],
  [/^取值须为(.+)之一$/, (m) => `must be one of ${(m[1] ?? '').split('、').join(', ')}`],
  [/^包含不合法的字符$/, () => 'contains characters that are not allowed'],
  [/^不得包含控制字符或不成对的代理项$/, () => 'must not contain control characters or unpaired surrogates'],
  [/^不支持4字节的UTF-8字符$/, () => 'must not contain characters outside the Basic Multilingual Plane (e.g. emoji)'],
  [/^此字段未定义$/, () => 'is not a field of this API (remove it)'],
  [/^嵌套不得超过(\d+)层$/, (m) => `is nested too deeply (at most ${m[1]} levels)`],
  [/^不是合法的UTF-8百分号编码$/, () => 'is not valid UTF-8 percent-encoding'],
  [/^当(\w+)为(\w+)时必填$/, (m) => `is required when ${m[1]} is ${m[2]}`],
];

/** The 代金券 error table's texts (seed page 发放代金券API), compared without spaces. */
const TABLE: Record<string, string> = {
  回调url不能为空: 'notify_url is required',
  回调商户不能为空: 'mchid (the callback merchant) is required',
  券id必填: 'coupon_id is required (the path has an empty coupon id)',
  appid必填: 'appid is required',
  openid必填: 'openid is required (the path has an empty openid)',
  页大小超过阈值: 'limit is larger than the API allows',
  输入时间格式错误: 'a time is not in RFC 3339 format (e.g. 2026-01-01T00:00:00+08:00)',
  批次号必填: 'stock_id is required',
  商户号必填: 'the merchant number (stock_creator_mchid or mchid) is required',
  非法的批次状态: 'the stock is not in a state that allows this operation',
  商户号不合法: 'the merchant number does not exist',
  openid与appID不匹配: 'the openid does not belong to this appid',
  活动已结束或未激活: 'the stock is not running (not started, paused, or past its end)',
  非法的商户号: 'the merchant number is not the caller’s',
  商户号与appid不匹配: 'the appid is not bound to the calling merchant',
  用户非法: 'the user account is flagged as abnormal; it cannot receive coupons',
  批次预算不足: 'the stock’s budget is used up',
  调用商户无权限: 'the calling merchant has no permission for this stock',
  商户无权发券: 'the calling merchant may not send coupons of this stock (not its own, not authorized)',
  批次不支持跨商户发券: 'the stock is not shared with other merchants; only its creator may send it',
  用户被限领拦截: 'the user already has the most coupons of this stock allowed per user',
  批次不存在: 'no stock has this stock_id',
  接口限频: 'too many calls; slow down and retry later',
  '批次信息获取失败,请确认参数是否有误': 'the stock exists, but not under the stock_creator_mchid given',
};

/** What each code means, when the message is not one the client knows. */
const CODES: Record<string, string> = {
  PARAM_ERROR: 'a parameter is missing or wrong',
  INVALID_REQUEST: 'the request is not allowed in the current state',
  MCH_NOT_EXISTS: 'the merchant number does not exist',
  APPID_MCHID_NOT_MATCH: 'the appid is not bound to the calling merchant',
  RESOURCE_ALREADY_EXISTS: 'the request number or resource was used before',
  SIGN_ERROR: 'the request signature did not verify (check the key, serial and the exact bytes signed)',
  NOAUTH: 'the calling merchant has no permission',
  NO_AUTH: 'the calling merchant has no permission',
  REQUEST_BLOCKED: 'the call is blocked for this merchant or user',
  NOT_ENOUGH: 'the stock’s budget is used up',
  USER_ACCOUNT_ABNORMAL: 'the user account is flagged as abnormal',
  RULELIMIT: 'the request breaks a rule of the stock',
  RESOURCE_NOT_EXISTS: 'the resource does not exist',
  USER_NOT_EXISTS: 'the user does not exist under this appid',
  FREQUENCY_LIMIT_EXCEED: 'too many calls; slow down and retry later',
  FREQUENCY_LIMITED: 'too many calls; slow down and retry later',
  RATELIMIT_EXCEEDED: 'too many calls; slow down and retry later',
  SYSTEM_ERROR: 'a server error; retry with the same request number',
};

const CJK = /\p{Script=Han}/u;

/**
 * An English explanation of `code`/`message`/`detail`, or undefined when the message is already
 * readable English or says nothing the client can add to.
 */
export function explainApiError(code: string, message: string, detail?: ApiErrorDetail): string | undefined {
  if (!CJK.test(message)) return undefined;
  const v = VALIDATOR.exec(message);
  if (v) {
    const [, location = 'body', pointer = '', rule = '', reason = ''] = v;
    const name = pointer.replace(/^\//, '') || location;
    const found = REASONS.map(([re, say]) => {
      const m = re.exec(reason);
      return m ? say(m) : undefined;
    }).find((s) => s !== undefined);
    return `${WHERE[location] ?? location} ${name} ${found ?? `fails the ${rule} rule (${reason})`}`;
  }
  const known = TABLE[message.replace(/\s+/g, '')];
  if (known) return known;
  const field = typeof detail?.field === 'string' ? ` (${detail.field})` : '';
  const meaning = CODES[code];
  return meaning ? `${meaning}${field}` : undefined;
}
