import type { Feature } from '../feature.js';
import { busifavorAdmin, busifavorAdminDocs } from './busifavor.admin.js';
import * as repo from './busifavor.repository.js';
import { busifavorRoutes } from './busifavor.routes.js';
import { BusifavorService } from './busifavor.service.js';

// Documented per-merchant limits (coupon-api.md §4.0, §8.10: the use page's 500 QPS); the send pages
// name a limit without a figure, so B9 and B10 take their 代金券 counterpart's 500/s. Other busifavor
// APIs have none by default but accept one through `rateLimits` (e.g. `{ 'busifavor.coupons.get': 100 }`).
const DOCUMENTED_LIMITS = {
  'busifavor.stocks.create': { limit: 1000, windowMs: 60_000 },
  'busifavor.coupons.send': { limit: 500, windowMs: 1000 },
  'busifavor.product-coupons.send': { limit: 500, windowMs: 1000 },
  'busifavor.coupons.use': { limit: 500, windowMs: 1000 },
  'busifavor.coupons.associate': { limit: 500, windowMs: 1000 },
  'busifavor.coupons.disassociate': { limit: 500, windowMs: 1000 },
};

export const busifavorFeature: Feature = {
  name: 'busifavor',
  setup(ctx) {
    ctx.services.busifavor = new BusifavorService(ctx);
    // A limit given in the platform options wins over the documented default.
    for (const [api, rule] of Object.entries(DOCUMENTED_LIMITS)) ctx.rateLimits[api] ??= rule;
    ctx.hooks.on('platform.reset', (trx) => repo.forgetIssued(trx));
  },
  v3: busifavorRoutes,
  admin: busifavorAdmin,
  adminDocs: busifavorAdminDocs,
};
