import type { Feature } from '../feature.js';
import { v2couponRoutes } from './v2coupon.routes.js';
import { V2CouponService } from './v2coupon.service.js';

/** APIv2 代金券 (XML): send_coupon over mutual TLS, query_coupon_stock, querycouponsinfo. */
export const v2couponFeature: Feature = {
  name: 'v2coupon',
  setup(ctx) {
    ctx.services.v2coupon = new V2CouponService(ctx);
  },
  root: v2couponRoutes,
};
