import { Buffer } from 'node:buffer';
import type { Middleware } from '../core/types.js';
import { nonce } from '../crypto/formatter.js';
import { v2Sign, v2Verify } from '../crypto/v2.js';
import { ApiError } from '../errors/api-error.js';
import { ConfigError } from '../errors/config-error.js';
import { V2Error } from '../errors/v2-error.js';
import { VerificationError } from '../errors/verification-error.js';
import { buildXml, parseXml } from '../xml.js';
import { setDefaultHeader } from './headers.js';

export interface V2XmlOptions {
  mchid: string;
  secret: string | undefined;
  userAgent: string;
}

/**
 * APIv2: completes the fields (`nonce_str`; `mch_id` when the caller left it out, since every v2
 * coupon API needs it and it can only be this merchant), signs with MD5 or HMAC-SHA256 per
 * `sign_type`, sends XML, checks the answer's `sign`, and raises both failure layers as {@link V2Error}.
 * `appid` is never guessed: the merchant may own several.
 */
export function v2Xml(options: V2XmlOptions): Middleware {
  return {
    name: 'v2-xml',
    async handle(req, next) {
      const { secret } = options;
      if (!secret) throw new ConfigError('secret', 'v2/… calls need `secret` (the APIv2 key) in the Wechatpay options');
      const fields: Record<string, unknown> = { ...(req.xml ?? {}) };
      delete fields['sign'];
      fields['mch_id'] ??= options.mchid;
      fields['nonce_str'] ??= nonce();
      for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) fields[k] = String(v);
      fields['sign'] = v2Sign(fields, secret);
      req.body = Buffer.from(buildXml(fields));
      setDefaultHeader(req.headers, 'Content-Type', 'text/xml; charset=utf-8');
      setDefaultHeader(req.headers, 'Accept', 'text/xml, application/xml');
      setDefaultHeader(req.headers, 'User-Agent', options.userAgent);

      const res = await next(req);
      const url = `${req.url.origin}${req.url.pathname}`;
      const text = res.body.toString('utf8');
      if (res.status !== 200) {
        throw new ApiError({
          status: res.status,
          code: `HTTP_${res.status}`,
          message: text.slice(0, 200) || 'APIv2 answered a non-200 status with no body',
          requestId: res.headers['request-id'],
          headers: res.headers,
          method: req.method,
          url,
        });
      }
      let data: Record<string, string>;
      try {
        data = parseXml(text);
      } catch (cause) {
        throw new VerificationError({
          reason: 'BAD_BODY',
          message: `the APIv2 answer from ${url} is not a plain <xml> document`,
          cause,
        });
      }
      if (data['return_code'] !== 'SUCCESS') {
        throw new V2Error({ returnCode: data['return_code'] ?? '', returnMsg: data['return_msg'], data, url });
      }
      if (data['sign'] !== undefined && !v2Verify(data, secret)) {
        throw new VerificationError({
          reason: 'BAD_SIGNATURE',
          header: 'sign',
          message:
            `the APIv2 answer from ${url} carries a sign that does not verify with \`secret\`: ` +
            'is the APIv2 key the one set on the merchant platform, and was the answer altered?',
        });
      }
      const errCode = data['err_code'];
      if (data['result_code'] !== 'SUCCESS' || (errCode !== undefined && errCode !== '' && errCode !== 'SUCCESS')) {
        throw new V2Error({
          returnCode: 'SUCCESS',
          resultCode: data['result_code'],
          errCode,
          errCodeDes: data['err_code_des'],
          data,
          url,
        });
      }
      return { ...res, data };
    },
  };
}
