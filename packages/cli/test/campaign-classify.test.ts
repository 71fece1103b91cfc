import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../src/campaign/engine/classify.js';
import type { Failure } from '../src/campaign/engine/failure.js';

function api(status: number, code: string, message = ''): Failure {
  return { kind: 'api', status, code, message };
}

function verdict(f: Failure): string {
  const v = classify(f);
  if (v.action === 'skip' || v.action === 'stop') return `${v.action}:${v.reason}`;
  if (v.action === 'retry') return `retry${v.throttled ? ':throttled' : ''}${v.uncertain ? ':uncertain' : ''}`;
  return v.action;
}

test('transient failures are retried, and those that may have been processed are marked uncertain', () => {
  assert.equal(verdict({ kind: 'network', message: 'ECONNRESET' }), 'retry:uncertain');
  assert.equal(verdict({ kind: 'timeout', message: 'no answer' }), 'retry:uncertain');
  assert.equal(verdict(api(500, 'SYSTEM_ERROR')), 'retry:uncertain');
  assert.equal(verdict(api(400, 'SYSTEM_ERROR', '系统错误')), 'retry:uncertain', 'busifavor lists it under 400 too');
  assert.equal(verdict(api(503, 'SERVICE_UNAVAILABLE')), 'retry:uncertain');
  assert.equal(verdict(api(429, 'FREQUENCY_LIMIT_EXCEED')), 'retry:throttled');
  assert.equal(verdict(api(429, 'FREQUENCY_LIMITED')), 'retry:throttled');
  assert.equal(verdict({ kind: 'v2', code: 'SYSTEMERROR', message: '系统繁忙' }), 'retry:uncertain');
  assert.equal(verdict({ kind: 'v2', code: 'FREQ_OVER_LIMIT', message: '超过发放频率限制' }), 'retry:throttled');
  assert.equal(verdict({ kind: 'v2', code: 'NETWORK ERROR', message: '网络环境不佳' }), 'retry:uncertain');
});

test('refusals about one person skip that person', () => {
  assert.equal(verdict(api(403, 'USER_ACCOUNT_ABNORMAL', '用户非法')), 'skip:abnormal_user');
  assert.equal(verdict(api(403, 'REQUEST_BLOCKED', '用户被限领拦截')), 'skip:user_limit');
  assert.equal(verdict(api(400, 'INVALID_REQUEST', 'openid 与 appID 不匹配')), 'skip:openid_mismatch');
  assert.equal(verdict(api(404, 'USER_NOT_EXISTS', 'openid 不正确')), 'skip:openid_mismatch');
  assert.equal(verdict(api(400, 'INVALID_REQUEST', '暂时无法领取,请联系商家处理。')), 'skip:abnormal_user');
  assert.equal(verdict({ kind: 'v2', code: 'USER_AL_GET_COUPON', message: '你已领取过该代金券' }), 'skip:user_limit');
  assert.equal(verdict({ kind: 'v2', code: '268456007', message: '你已领取过该代金券' }), 'skip:user_limit');
  assert.equal(verdict({ kind: 'v2', code: 'USER_ACCOUNT_ABNORMAL', message: '用户非法' }), 'skip:abnormal_user');
  assert.equal(verdict(api(403, 'RULELIMIT', '不符合规则：每个用户最多领取 1 张')), 'skip:user_limit');
  assert.equal(verdict(api(403, 'RULELIMIT', '不符合规则：可疑账号拦截 (prevent_api_abuse)')), 'skip:abnormal_user');
});

test('refusals that every later send would meet stop the campaign', () => {
  assert.equal(verdict(api(403, 'NOT_ENOUGH', '批次预算不足')), 'stop:budget_exhausted');
  assert.equal(verdict(api(401, 'SIGN_ERROR', '签名错误')), 'stop:credentials');
  assert.equal(verdict(api(400, 'APPID_MCHID_NOT_MATCH')), 'stop:credentials');
  assert.equal(verdict(api(404, 'RESOURCE_NOT_EXISTS', '批次不存在')), 'stop:stock_missing');
  assert.equal(verdict(api(400, 'INVALID_REQUEST', '活动已结束或未激活')), 'stop:stock_not_running');
  assert.equal(verdict(api(403, 'REQUEST_BLOCKED', '商户无权发券')), 'stop:permission');
  assert.equal(verdict(api(403, 'NOAUTH', '无权限')), 'stop:permission');
  assert.equal(verdict({ kind: 'verification', message: 'bad signature' }), 'stop:credentials');
  assert.equal(
    verdict({ kind: 'v2', code: 'STOCK_AMOUNT_NOT_ENOUGH', message: '代金券批次可用预算不足' }),
    'stop:budget_exhausted',
  );
  assert.equal(verdict({ kind: 'v2', code: 'AL_STOCK_OVER', message: '活动已结束' }), 'stop:stock_not_running');
  assert.equal(verdict({ kind: 'v2', code: 'CA_ERROR', message: '证书有误' }), 'stop:credentials');
  assert.equal(verdict(api(400, 'INVALID_REQUEST', '批次状态为 PAUSED，不能发券')), 'stop:stock_not_running');
  assert.equal(
    verdict(api(400, 'INVALID_REQUEST', '该批次未关联商品信息，不支持通过商品券接口发放')),
    'stop:stock_unsuitable',
  );
  assert.equal(
    verdict({ kind: 'v2', code: 'PARAM_ERROR', message: '校验参数错误：coupon_stock_id 批次不存在' }),
    'stop:stock_missing',
  );
  assert.equal(
    verdict({ kind: 'v2', code: 'COUPON_STOCK_NOT_FOUND', message: '批次信息不存在' }),
    'stop:stock_missing',
  );
  assert.equal(
    verdict({ kind: 'v2', communication: true, code: 'RETURN_CODE_FAIL', message: '签名错误' }),
    'stop:credentials',
  );
});

test('a bad parameter fails that row only', () => {
  assert.equal(verdict(api(400, 'PARAM_ERROR', 'coupon_value')), 'fail');
  assert.equal(verdict({ kind: 'v2', code: 'PARAM_ERROR', message: '参数错误' }), 'fail');
  assert.equal(verdict({ kind: 'unexpected', message: 'no coupon_id' }), 'fail');
});
