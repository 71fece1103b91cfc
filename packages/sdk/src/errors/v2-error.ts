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

  constructor(init: V2ErrorInit) {
    const what =
      init.returnCode !== 'SUCCESS'
        ? `return_code=${init.returnCode}${init.returnMsg ? ` (${init.returnMsg})` : ''}`
        : `result_code=${init.resultCode ?? ''}${init.errCode ? ` err_code=${init.errCode}` : ''}${init.errCodeDes ? ` (${init.errCodeDes})` : ''}`;
    super(`POST ${init.url}: ${what}`);
    this.returnCode = init.returnCode;
    this.returnMsg = init.returnMsg;
    this.resultCode = init.resultCode;
    this.errCode = init.errCode;
    this.errCodeDes = init.errCodeDes;
    this.data = init.data;
  }
}
