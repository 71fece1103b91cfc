// The v2 代金券 error codes (coupon-api.md §2.2–§2.4) with their documented descriptions.
// USER_ACCOUNT_ABNORMAL is the one addition: the sources say only that sending to a 小号 "returns an
// error code" without naming it, so the platform reuses the v3 code for the same rule.

export const V2_ERROR_CODES = {
  SIGN_ERROR: '签名错误',
  CA_ERROR: '证书有误',
  CA_VERIFY_FAILED: '证书验证失败',
  REQ_PARAM_XML_ERR: '输入参数xml格式有误',
  PARAM_ERROR: '校验参数错误',
  MCH_ID_EMPTY: '商户ID为空',
  CODE_2_ID_ERR: '商户id有误',
  COUPON_STOCK_ID_EMPTY: '批次ID为空',
  OPEN_ID_EMPTY: '用户openid为空',
  USER_AL_GET_COUPON: '你已领取过该代金券',
  AL_STOCK_OVER: '活动已结束',
  STOCK_IS_NOT_VALID: '抱歉，该代金券已失效',
  STOCK_AMOUNT_NOT_ENOUGH: '代金券批次可用预算不足',
  FREQ_OVER_LIMIT: '超过发放频率限制，请稍后再试',
  USER_ACCOUNT_ABNORMAL: '用户非法',
  COUPON_STOCK_ID_NOT_VALID: '批次id不正确',
  COUPON_STOCK_NOT_FOUND: '批次信息不存在',
  COUPON_NOT_FOUND: '券没有查找成功',
  'NETWORK ERROR': '网络环境不佳，请重试',
} as const;

export type V2ErrorCode = keyof typeof V2_ERROR_CODES;
