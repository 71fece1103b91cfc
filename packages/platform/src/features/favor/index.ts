import type { Feature } from '../feature.js';
import { favorAdmin } from './favor.admin.js';
import { flowDownloads, flowRoutes } from './favor.flows.js';
import { favorRoutes } from './favor.routes.js';
import { FavorService } from './favor.service.js';

export const favorFeature: Feature = {
  name: 'favor',
  setup(ctx) {
    ctx.services.favor = new FavorService(ctx);
    ctx.hooks.on('platform.reset', async (trx) => {
      await trx.deleteFrom('favor_coupons').execute();
      await trx.deleteFrom('favor_user_counts').execute();
      await trx.deleteFrom('favor_daily_amounts').execute();
      await trx.updateTable('favor_stocks').set({ distributed_coupons: 0, distributed_amount: 0 }).execute();
    });
  },
  v3(router, ctx) {
    favorRoutes(router, ctx);
    flowRoutes(router, ctx);
  },
  root: flowDownloads,
  admin: favorAdmin,
};
