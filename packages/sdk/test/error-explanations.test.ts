import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError, explainApiError } from '../src/index.js';

// WeChat Pay answers in Chinese by default; the SDK adds a plain English explanation, derived from the
// code, the message and the detail, to every ApiError it builds.

const error = (code: string, message: string, detail?: Record<string, unknown>) =>
  new ApiError({
    status: 400,
    code,
    message,
    detail,
    headers: {},
    method: 'POST',
    url: 'https://api.mch.weixin.qq.com/v3/marketing/favor/users/o/coupons',
  });

describe('ApiError explanations', () => {
  test("the validator's wording is explained with the field's key, its location and the rule's bound", () => {
    const cases: Array<[string, string]> = [
      [
        '输入源“/body/stock_id”映射到字段“批次号”长度规则校验失败,长度不能超过20',
        'body field stock_id is too long (at most 20 characters)',
      ],
      [
        '输入源“/uri_template/stock_id”映射到字段“批次id”必填性规则校验失败,此字段为必填项',
        'path parameter stock_id is required',
      ],
      [
        '输入源“/query/limit”映射到字段“limit”取值范围规则校验失败,不能大于100',
        'query parameter limit is too large (at most 100)',
      ],
      [
        '输入源“/body/coupon_type”映射到字段“券类型”枚举值规则校验失败,取值须为NORMAL、MEMBER之一',
        'body field coupon_type must be one of NORMAL, MEMBER',
      ],
      [
        '输入源“/body/member_card_id”映射到字段“会员卡ID”必填性规则校验失败,当coupon_type为MEMBER时必填',
        'body field member_card_id is required when coupon_type is MEMBER',
      ],
      [
        '输入源“/body/padding”映射到字段“padding”字段定义规则校验失败,此字段未定义',
        'body field padding is not a field of this API (remove it)',
      ],
      ['输入源“/body/x”映射到字段“x”新规则校验失败,别的原因', 'body field x fails the 新 rule (别的原因)'],
    ];
    for (const [message, expected] of cases) assert.equal(explainApiError('PARAM_ERROR', message), expected);
  });

  test("the 代金券 error table's texts are explained, with or without typesetting spaces", () => {
    assert.equal(explainApiError('PARAM_ERROR', '批次号必填'), 'stock_id is required');
    assert.equal(explainApiError('PARAM_ERROR', 'appid 必填'), 'appid is required');
    assert.equal(
      explainApiError('REQUEST_BLOCKED', '批次不支持跨商户发券'),
      'the stock is not shared with other merchants; only its creator may send it',
    );
  });

  test('an unknown Chinese message falls back to what the code means, naming the field', () => {
    assert.equal(
      explainApiError('INVALID_REQUEST', '某个新的说明', { field: '/coupon_code' }),
      'the request is not allowed in the current state (/coupon_code)',
    );
    assert.equal(explainApiError('SOMETHING_NEW', '某个新的说明'), undefined);
  });

  test('an English message needs no explanation', () => {
    assert.equal(explainApiError('PARAM_ERROR', 'Input source "/body/stock_id" failed'), undefined);
  });

  test('the error keeps the server message and shows the explanation in its message', () => {
    const err = error('PARAM_ERROR', '批次号必填', { field: '/stock_id', location: 'body' });
    assert.equal(err.serverMessage, '批次号必填');
    assert.equal(err.explanation, 'stock_id is required');
    assert.match(err.message, /PARAM_ERROR: 批次号必填 — stock_id is required \(field \/stock_id\)$/);
  });
});
