import { WechatpayError } from './wechatpay-error.js';

export interface V2ErrorInit {
  returnCode: string;
  returnMsg?: string | undefined;
  resultCode?: string | undefined;
  errCode?: string | undefined;
  errCodeDes?: string | undefined;
  data: Record<string, string>;
  url: string;
}

// A plain English explanation of an APIv2 err_code, derived on the client: the service answers each code's
// Chinese 描述 and nothing more (PARAM_ERROR names the field). Codes are the send page's error table and the
// query pages'; 268456007 is the decimal code of WeChat Pay's own failure sample.
const EXPLANATIONS: Readonly<Record<string, string>> = {
  SIGN_ERROR:
    'the sign does not match: APIv2 signs every non-empty field but sign, sorted, as k=v&…&key=<APIv2 key> (not the APIv3 key)',
  CA_ERROR:
    'the API needs the merchant API client certificate over mutual TLS (merchant: {cert, key}, an https baseURL), and it must be this mch_id’s',
  CA_VERIFY_FAILED:
    'the client certificate is not a valid merchant API certificate (expired, or not issued for WeChat Pay)',
  ERR_VERIFY_SSL_SERIAL: 'the service could not read the client certificate’s serial number',
  ERR_VERIFY_SSL_SN: 'the service could not read the client certificate’s subject (DN)',
  REQ_PARAM_XML_ERR: 'the body is not one flat <xml> document (no DTD, no entities, no nested elements, UTF-8)',
  PARAM_ERROR: 'a parameter is wrong; err_code_des names it',
  MCH_ID_EMPTY: 'mch_id is missing',
  CODE_2_ID_ERR: 'mch_id is not a known merchant',
  COUPON_STOCK_ID_EMPTY: 'coupon_stock_id is missing',
  OPEN_ID_EMPTY: 'openid is missing',
  USER_AL_GET_COUPON: 'the user already holds as many coupons of this stock as allowed',
  '268456007': 'the user already holds as many coupons of this stock as allowed (USER_AL_GET_COUPON)',
  AL_STOCK_OVER: 'the stock has ended (stopped, or past its end time)',
  STOCK_IS_NOT_VALID: 'the stock is not running (not activated, paused, or before its start)',
  STOCK_AMOUNT_NOT_ENOUGH: 'the stock’s budget is used up',
  FREQ_OVER_LIMIT: 'too many sends; slow down and retry later',
  'NETWORK ERROR': 'a transient failure on the service; retry with the same partner_trade_no',
  COUPON_STOCK_ID_NOT_VALID: 'coupon_stock_id does not match (not this merchant’s stock, or not the coupon’s)',
  COUPON_STOCK_NOT_FOUND: 'no stock has this coupon_stock_id',
  COUPON_NOT_FOUND: 'no coupon of this user has this coupon_id',
};

/** The communication layer answers only return_msg: its 描述 names the code. */
const RETURN_MSG_CODES: Readonly<Record<string, string>> = {
  签名错误: 'SIGN_ERROR',
  证书有误: 'CA_ERROR',
  证书验证失败: 'CA_VERIFY_FAILED',
  输入参数xml格式有误: 'REQ_PARAM_XML_ERR',
  商户ID为空: 'MCH_ID_EMPTY',
  商户id有误: 'CODE_2_ID_ERR',
};

function explain(init: V2ErrorInit): string | undefined {
  if (init.returnCode === 'SUCCESS') return init.errCode === undefined ? undefined : EXPLANATIONS[init.errCode];
  const code = init.data['err_code'] ?? RETURN_MSG_CODES[(init.returnMsg ?? '').replace(/\s+/g, '')];
  return code === undefined ? undefined : EXPLANATIONS[code];
}

/**
 * An APIv2 call that answered `return_code=FAIL` (communication, signature, certificate) or
 * `result_code=FAIL` / an `err_code` (business). `errCode` is opaque: a name or a decimal number.
 */
export class V2Error extends WechatpayError {
  override name = 'V2Error';
  readonly returnCode: string;
  readonly returnMsg: string | undefined;
  readonly resultCode: string | undefined;
  readonly errCode: string | undefined;
  readonly errCodeDes: string | undefined;
  readonly data: Record<string, string>;
  /** What the code means, in English, when the SDK knows it (the service's texts are Chinese by default). */
  readonly explanation: string | undefined;

  constructor(init: V2ErrorInit) {
    const what =
      init.returnCode !== 'SUCCESS'
        ? `return_code=${init.returnCode}${init.returnMsg ? ` (${init.returnMsg})` : ''}`
        : `result_code=${init.resultCode ?? ''}${init.errCode ? ` err_code=${init.errCode}` : ''}${init.errCodeDes ? ` (${init.errCodeDes})` : ''}`;
    const explanation = explain(init);
    super(`POST ${init.url}: ${what}${explanation ? ` — ${explanation}` : ''}`);
    this.explanation = explanation;
    this.returnCode = init.returnCode;
    this.returnMsg = init.returnMsg;
    this.resultCode = init.resultCode;
    this.errCode = init.errCode;
    this.errCodeDes = init.errCodeDes;
    this.data = init.data;
  }
}
