import { AUTH_SCHEME, nonce, responseMessage, rsaSignAsync, timestamp } from '@wxcoupon/sdk/crypto';
import type { MiddlewareHandler } from 'hono';
import type { PlatformContext } from '../context.js';
import type { V3Env } from './env.js';
import { replyOf, withHeaders } from './reply.js';

/**
 * Signs every 2xx APIv3 response over its serialized body (protocol.md §1.2), with the platform key
 * the request's `Wechatpay-Serial` asks for. Runs after the handler so the signature covers exactly
 * the bytes sent; signing happens on the thread pool.
 */
export function v3Sign(ctx: PlatformContext): MiddlewareHandler<V3Env> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res.status < 200 || res.status > 299) return;
    const merchant = c.get('merchant');
    const key = ctx.keys.forResponse(c.req.header('wechatpay-serial'), merchant.platformKeyMode);
    const reply = replyOf(res) ?? { text: res.status === 204 ? '' : await res.text(), headers: plainHeaders(res) };
    const ts = timestamp();
    const nonceStr = nonce();
    const signature = await rsaSignAsync(responseMessage(ts, nonceStr, reply.text), key.privateKey);
    c.res = undefined;
    c.res = withHeaders(res, reply, {
      'Wechatpay-Timestamp': ts,
      'Wechatpay-Nonce': nonceStr,
      'Wechatpay-Signature': signature,
      'Wechatpay-Serial': key.id,
      'Wechatpay-Signature-Type': AUTH_SCHEME,
    });
  };
}

function plainHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
