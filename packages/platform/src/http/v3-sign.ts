import { AUTH_SCHEME, nonce, responseMessage, rsaSignAsync, timestamp } from '@wxcoupon/sdk/crypto';
import type { MiddlewareHandler } from 'hono';
import type { PlatformContext } from '../context.js';
import type { V3Env } from './env.js';
import { bodyText } from './reply.js';

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
    const body = await bodyText(res);
    const ts = timestamp();
    const nonceStr = nonce();
    const signature = await rsaSignAsync(responseMessage(ts, nonceStr, body), key.privateKey);
    const headers = new Headers(res.headers);
    headers.set('Wechatpay-Timestamp', ts);
    headers.set('Wechatpay-Nonce', nonceStr);
    headers.set('Wechatpay-Signature', signature);
    headers.set('Wechatpay-Serial', key.id);
    headers.set('Wechatpay-Signature-Type', AUTH_SCHEME);
    c.res = undefined;
    c.res = new Response(res.status === 204 ? null : body, { status: res.status, headers });
  };
}
