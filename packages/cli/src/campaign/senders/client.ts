import type { Wechatpay } from '@wxcoupon/sdk';

/** The part of the SDK client the senders use; tests may pass any object with this shape around a real client. */
export type CouponClient = Pick<Wechatpay, 'request'>;

/** Everything a sender needs besides the client: which stock, for which app, on whose behalf. */
export interface SenderContext {
  client: CouponClient;
  stockId: string;
  appid: string;
  mchid: string;
  /** favor: the merchant that created the stock, when issuing another merchant's stock. */
  stockCreatorMchid?: string | undefined;
}
