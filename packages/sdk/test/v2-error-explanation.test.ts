import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { V2Error } from '../src/index.js';

// APIv2 answers carry only each code's Chinese 描述; the SDK's error says in English what it means.

const url = 'https://api.mch.weixin.qq.com/mmpaymkttransfers/send_coupon';

describe('V2Error explanations', () => {
  test('a business failure is explained by its err_code, symbolic or the sample decimal', () => {
    const named = new V2Error({
      returnCode: 'SUCCESS',
      resultCode: 'FAIL',
      errCode: 'STOCK_IS_NOT_VALID',
      errCodeDes: '抱歉，该代金券已失效',
      data: {},
      url,
    });
    assert.match(named.message, /err_code=STOCK_IS_NOT_VALID \(抱歉，该代金券已失效\) — the stock is not running/);
    assert.match(named.explanation ?? '', /not running/);
    const decimal = new V2Error({ returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: '268456007', data: {}, url });
    assert.match(decimal.message, /USER_AL_GET_COUPON/);
  });

  test('a communication failure is explained by its return_msg, or by an err_code beside it', () => {
    const ca = new V2Error({ returnCode: 'FAIL', returnMsg: '证书有误', data: { return_msg: '证书有误' }, url });
    assert.match(ca.message, /return_code=FAIL \(证书有误\) — the API needs the merchant API client certificate/);
    const sign = new V2Error({ returnCode: 'FAIL', returnMsg: '签名错误', data: {}, url });
    assert.match(sign.explanation ?? '', /APIv2 key/);
    const xml = new V2Error({ returnCode: 'FAIL', returnMsg: 'xml', data: { err_code: 'REQ_PARAM_XML_ERR' }, url });
    assert.match(xml.explanation ?? '', /<xml> document/);
  });

  test('an unknown code or text is left unexplained', () => {
    const other = new V2Error({ returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: 'SOMETHING_NEW', data: {}, url });
    assert.equal(other.explanation, undefined);
    assert.doesNotMatch(other.message, / — /);
    assert.equal(new V2Error({ returnCode: 'FAIL', returnMsg: 'bad stock', data: {}, url }).explanation, undefined);
  });
});
