import type { Failure, Verdict } from './failure.js';

const THROTTLE_CODES = new Set(['FREQUENCY_LIMIT_EXCEED', 'FREQUENCY_LIMITED', 'RATE_LIMITED', 'RATELIMIT_EXCEEDED']);
const CREDENTIAL_CODES = new Set(['SIGN_ERROR', 'MCH_NOT_EXISTS', 'APPID_MCHID_NOT_MATCH']);
const PERMISSION_CODES = new Set(['NO_AUTH', 'NOAUTH']);

const V2_RETRY = new Set(['SYSTEMERROR', 'SYSTEM_ERROR', 'NETWORK ERROR', 'NETWORK_ERROR']);
const V2_THROTTLE = new Set(['FREQ_OVER_LIMIT', 'FREQUENCY_LIMITED']);
const V2_USER_LIMIT = new Set(['USER_AL_GET_COUPON', '268456007']);
const V2_STOCK_OVER = new Set(['AL_STOCK_OVER', 'STOCK_IS_NOT_VALID']);
const V2_BUDGET = new Set(['STOCK_AMOUNT_NOT_ENOUGH', 'NOT_ENOUGH']);
const V2_STOCK_MISSING = new Set([
  'COUPON_STOCK_ID_EMPTY',
  'COUPON_STOCK_ID_NOT_VALID',
  'COUPON_STOCK_NOT_FOUND',
  'RESOURCE_NOT_EXISTS',
]);
const V2_CREDENTIALS = new Set([
  'SIGN_ERROR',
  'CA_ERROR',
  'CA_VERIFY_FAILED',
  'ERR_VERIFY_SSL_SERIAL',
  'ERR_VERIFY_SSL_SN',
  'MCH_ID_EMPTY',
  'CODE_2_ID_ERR',
]);

/**
 * Decides what a failed send means for the campaign: try the same recipient again (with the same key), give up
 * on this recipient only, or stop the whole campaign because every later send would fail the same way. WeChat
 * reuses some codes for unrelated causes (INVALID_REQUEST, REQUEST_BLOCKED), so those are told apart by message.
 */
export function classify(f: Failure): Verdict {
  const code = f.code ?? f.kind.toUpperCase();
  const message = f.message;
  switch (f.kind) {
    case 'network':
      // A refused connection sent nothing: the recipient is not sent, not unknown.
      if (f.refused)
        return { action: 'retry', throttled: false, uncertain: false, code: 'CONNECTION_REFUSED', message };
      return { action: 'retry', throttled: false, uncertain: true, code: 'NETWORK_ERROR', message };
    case 'timeout':
      return { action: 'retry', throttled: false, uncertain: true, code: 'TIMEOUT', message };
    case 'verification':
      return { action: 'stop', reason: 'credentials', uncertain: true, code: 'VERIFICATION_FAILED', message };
    case 'config':
      return { action: 'stop', reason: 'credentials', uncertain: false, code: 'CONFIG_ERROR', message };
    case 'unexpected':
      return { action: 'fail', code: 'UNEXPECTED', message };
    case 'v2':
      return classifyV2(f, code, message);
    case 'api':
      return classifyV3(f.status ?? 0, code, message);
  }
}

function classifyV3(status: number, code: string, message: string): Verdict {
  if (status === 429 || THROTTLE_CODES.has(code))
    return { action: 'retry', throttled: true, uncertain: false, code, message };
  if (status >= 500 || code === 'SYSTEM_ERROR')
    return { action: 'retry', throttled: false, uncertain: true, code, message };
  if (status === 401 || CREDENTIAL_CODES.has(code)) {
    return { action: 'stop', reason: 'credentials', uncertain: false, code, message };
  }
  if (code === 'NOT_ENOUGH') return { action: 'stop', reason: 'budget_exhausted', uncertain: false, code, message };
  if (code === 'USER_ACCOUNT_ABNORMAL') return { action: 'skip', reason: 'abnormal_user', code, message };
  if (code === 'USER_NOT_EXISTS') return { action: 'skip', reason: 'openid_mismatch', code, message };
  if (code === 'RESOURCE_NOT_EXISTS' || status === 404) {
    return { action: 'stop', reason: 'stock_missing', uncertain: false, code, message };
  }
  if (PERMISSION_CODES.has(code)) return { action: 'stop', reason: 'permission', uncertain: false, code, message };
  if (code === 'REQUEST_BLOCKED') {
    return /限领|per[- ]user|limit/i.test(message)
      ? { action: 'skip', reason: 'user_limit', code, message }
      : { action: 'stop', reason: 'permission', uncertain: false, code, message };
  }
  if (code === 'RULELIMIT' || code === 'RULE_LIMIT') {
    if (/可疑|abuse|异常|非法|abnormal/i.test(message))
      return { action: 'skip', reason: 'abnormal_user', code, message };
    return /有效期|not running|expired|未激活|已结束/i.test(message)
      ? { action: 'stop', reason: 'stock_not_running', uncertain: false, code, message }
      : { action: 'skip', reason: 'user_limit', code, message };
  }
  if (code === 'INVALID_REQUEST') {
    if (/openid|appid/i.test(message) && /不匹配|match/i.test(message)) {
      return { action: 'skip', reason: 'openid_mismatch', code, message };
    }
    if (
      /已结束|未激活|not (running|active)|ended|暂停|paused|stopp?ed|失效|不能发券|未到发放时间|UNAUDIT/i.test(message)
    ) {
      return { action: 'stop', reason: 'stock_not_running', uncertain: false, code, message };
    }
    if (/未关联商品|发券模式不合法|code mode/i.test(message)) {
      return { action: 'stop', reason: 'stock_unsuitable', uncertain: false, code, message };
    }
    if (/暂时无法领取|risk/i.test(message)) return { action: 'skip', reason: 'abnormal_user', code, message };
    if (/预算|budget|已达上限|发完|sold out/i.test(message)) {
      return { action: 'stop', reason: 'budget_exhausted', uncertain: false, code, message };
    }
  }
  return { action: 'fail', code, message };
}

function classifyV2(f: Failure, code: string, message: string): Verdict {
  if (f.communication) {
    if (/签名|证书|商户id|sign|cert|ssl|mch_id/i.test(`${code} ${message}`)) {
      return { action: 'stop', reason: 'credentials', uncertain: false, code, message };
    }
    if (/频率|frequen|limit/i.test(message))
      return { action: 'retry', throttled: true, uncertain: false, code, message };
    if (/系统|繁忙|system|busy/i.test(message))
      return { action: 'retry', throttled: false, uncertain: true, code, message };
    return { action: 'fail', code, message };
  }
  if (V2_RETRY.has(code)) return { action: 'retry', throttled: false, uncertain: true, code, message };
  if (V2_THROTTLE.has(code)) return { action: 'retry', throttled: true, uncertain: false, code, message };
  if (V2_USER_LIMIT.has(code)) return { action: 'skip', reason: 'user_limit', code, message };
  if (V2_STOCK_OVER.has(code)) return { action: 'stop', reason: 'stock_not_running', uncertain: false, code, message };
  if (V2_BUDGET.has(code)) return { action: 'stop', reason: 'budget_exhausted', uncertain: false, code, message };
  if (V2_CREDENTIALS.has(code)) return { action: 'stop', reason: 'credentials', uncertain: false, code, message };
  if (V2_STOCK_MISSING.has(code) || /批次不存在|批次信息不存在/.test(message)) {
    return { action: 'stop', reason: 'stock_missing', uncertain: false, code, message };
  }
  if (code === 'USER_ACCOUNT_ABNORMAL' || /小号|非法|异常/.test(message)) {
    return { action: 'skip', reason: 'abnormal_user', code, message };
  }
  if (/已领取|上限|限领/.test(message)) return { action: 'skip', reason: 'user_limit', code, message };
  if (/预算不足|库存不足/.test(message)) {
    return { action: 'stop', reason: 'budget_exhausted', uncertain: false, code, message };
  }
  if (/openid/i.test(message) && /不匹配|match/i.test(message)) {
    return { action: 'skip', reason: 'openid_mismatch', code, message };
  }
  return { action: 'fail', code, message };
}
