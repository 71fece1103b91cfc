// Every error code the platform can answer, with its HTTP status and default message. Routes and
// services throw ApiError with a code from here; the transport edge turns it into the wire format.
// Messages follow WeChat Pay's own tables (coupon-api.md §1.4, §3.13, §4.21).

export const ERROR_CODES = {
  PARAM_ERROR: { status: 400, message: '参数错误' },
  INVALID_REQUEST: { status: 400, message: 'HTTP 请求不符合微信支付 APIv3 接口规则' },
  MCH_NOT_EXISTS: { status: 400, message: '商户号不合法' },
  APPID_MCHID_NOT_MATCH: { status: 400, message: '商户号与appid不匹配' },
  RESOURCE_ALREADY_EXISTS: { status: 400, message: '资源已存在' },
  SIGN_ERROR: { status: 401, message: '签名错误' },
  NOAUTH: { status: 403, message: '商户无权限' },
  REQUEST_BLOCKED: { status: 403, message: '调用商户无权限' },
  NOT_ENOUGH: { status: 403, message: '批次预算不足' },
  USER_ACCOUNT_ABNORMAL: { status: 403, message: '用户非法' },
  RULELIMIT: { status: 403, message: '不符合规则' },
  RESOURCE_NOT_EXISTS: { status: 404, message: '资源不存在' },
  USER_NOT_EXISTS: { status: 404, message: '用户不存在' },
  FREQUENCY_LIMIT_EXCEED: { status: 429, message: '接口限频' },
  FREQUENCY_LIMITED: { status: 429, message: '接口限频' },
  SYSTEM_ERROR: { status: 500, message: '系统异常，请稍后重试' },
  // Admin API only (not a WeChat code): the admin token is missing or wrong.
  ADMIN_UNAUTHORIZED: { status: 401, message: 'admin token missing or wrong; see <data>/admin-token' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
